using ElasticRedPacket.RedPacket.Telemetry;

namespace ElasticRedPacket.RedPacket.Tests;

/// <summary>redpacket exports its own instruments over OTLP: grab outcomes, claim batch sizes, claim commit spans.</summary>
public sealed class TelemetryTests(GrabFixture stack) : IClassFixture<GrabFixture>
{
    [Fact]
    public async Task Grab_WithOtlpEndpoint_ExportsOutcomesClaimBatchSizeAndCommitSpan()
    {
        await using var collector = await OtlpCollector.StartAsync();
        var campaign = await stack.Seeder.CreateAsync(2, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(-1));
        var (_, token) = await stack.NewUserAsync();
        var replica = ServiceFactory<Program>.WithSettings(collector.Settings);
        try
        {
            var won = await GrabFixture.GrabAsync(replica.CreateClient(), token, campaign.Id);
            Assert.True(won.Outcome == "won", won.Body);
        }
        finally
        {
            // Stopping the host flushes its meter and tracer providers to the collector.
            await replica.DisposeAsync();
        }

        Assert.True(collector.Received("metrics", GrabMetrics.OutcomesName), "grab outcomes counter not exported");
        Assert.True(collector.Received("metrics", GrabMetrics.ClaimBatchSizeName), "claim batch size histogram not exported");
        Assert.True(collector.Received("traces", GrabMetrics.ClaimBatchCommitName), "claim batch commit span not exported");
    }
}
