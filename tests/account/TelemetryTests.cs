using System.Net;
using System.Net.Http.Json;
using ElasticRedPacket.Account.Telemetry;

namespace ElasticRedPacket.Account.Tests;

[CollectionDefinition(nameof(TelemetryTests), DisableParallelization = true)]
public sealed class TelemetryTestsCollection;

/// <summary>account exports its own instruments over OTLP: verify results by result, verify batch sizes.</summary>
/// <remarks>
/// Runs alone: a meter provider listens to every meter of its name in the process, so the other
/// tests' hosts starting and stopping beside it change what it collects; a service process has one host.
/// </remarks>
[Collection(nameof(TelemetryTests))]
public sealed class TelemetryTests
{
    [Fact]
    public async Task VerifyBatch_WithOtlpEndpoint_ExportsResultsAndBatchSize()
    {
        await using var collector = await OtlpCollector.StartAsync();
        var valid = AccountsClient.StackSigner().Issue(Random.Shared.NextInt64(1_000_000_000, 2_000_000_000), DateTimeOffset.UtcNow.AddHours(1));
        var replica = ServiceFactory<Program>.WithSettings(collector.Settings);
        try
        {
            using var response = await replica.CreateClient().PostAsJsonAsync("/internal/verify/batch", new
            {
                items = new[] { new { token = valid, campaignId = 1 }, new { token = "garbage", campaignId = 1 } },
            });
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            Assert.Contains("\"unauthorized\"", body, StringComparison.Ordinal);
        }
        finally
        {
            await replica.DisposeAsync();
        }

        collector.AssertReceived("metrics", VerifyMetrics.ResultsName, "verify results counter");
        collector.AssertReceived("metrics", VerifyMetrics.BatchSizeName, "verify batch size histogram");
        collector.AssertReceived("metrics", "unauthorized", "the result tag");
    }
}
