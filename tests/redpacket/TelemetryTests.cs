using ElasticRedPacket.RedPacket.Telemetry;

namespace ElasticRedPacket.RedPacket.Tests;

[CollectionDefinition(nameof(TelemetryTests), DisableParallelization = true)]
public sealed class TelemetryTestsCollection;

/// <summary>redpacket exports its own instruments over OTLP: grab outcomes, claim batch sizes, claim commit spans.</summary>
/// <remarks>
/// Runs alone: a meter provider listens to every meter of its name in the process, so the other
/// tests' hosts starting and stopping beside it change what it collects; a service process has one host.
/// </remarks>
[Collection(nameof(TelemetryTests))]
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

        collector.AssertReceived("metrics", GrabMetrics.OutcomesName, "grab outcomes counter");
        collector.AssertReceived("metrics", GrabMetrics.ClaimBatchSizeName, "claim batch size histogram");
        collector.AssertReceived("traces", GrabMetrics.ClaimBatchCommitName, "claim batch commit span");
    }
}
