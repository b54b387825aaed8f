using System.Diagnostics.Metrics;
using System.Text.Json;
using ElasticRedPacket.Monitor.Telemetry;
using ElasticRedPacket.Monitor.Tests.Support;
using ElasticRedPacket.ServiceDefaults.Messaging;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace ElasticRedPacket.Monitor.Tests;

[CollectionDefinition(nameof(TelemetryTests), DisableParallelization = true)]
public sealed class TelemetryTestsCollection;

/// <summary>monitor exports its own instruments over OTLP: batches released (with a span each) and outcome batches recorded.</summary>
/// <remarks>
/// Runs alone: a meter provider listens to every meter of its name in the process, so the other
/// tests' hosts starting and stopping beside it change what it collects; a service process has one host.
/// </remarks>
[Collection(nameof(TelemetryTests))]
public sealed class TelemetryTests
{
    [Fact]
    public async Task ReleaseAndOutcomes_WithOtlpEndpoint_ExportsReleaseAndOutcomeBatchInstruments()
    {
        await using var collector = await OtlpCollector.StartAsync();
        var settings = collector.Settings;
        settings["Monitor:ReleaseTickMilliseconds"] = "50"; // ticks often, so it usually wins the release lock over the stack's monitor
        var replica = ServiceFactory<Program>.WithSettings(settings);
        try
        {
            var scope = replica.Services.GetRequiredService<IMeterFactory>();
            using var released = new InstrumentWatch("monitor", MonitorMetrics.BatchesReleasedName, scope);
            using var outcomes = new InstrumentWatch("monitor", MonitorMetrics.OutcomeBatchesName, scope);
            var client = Probe.Operator(replica.CreateClient());

            // The stack's monitor competes for both: bounded retries until this replica did each once.
            for (var attempt = 0; attempt < 5 && released.Total == 0; attempt++)
            {
                var campaign = await Probe.IssueAsync(client, Probe.Campaign("telemetry", packets: 2, batches: 1));
                await Probe.WaitReleasedAsync(campaign.Id, 1, TimeSpan.FromSeconds(15));
            }
            Assert.True(released.Total > 0, "this replica released no batch in 5 attempts");

            await using var channel = await (await Probe.RabbitAsync()).CreateChannelAsync();
            for (var published = 0; published < 20 && outcomes.Total == 0; published++)
            {
                // An empty batch: recorded (its id) without changing any campaign's counts.
                var batch = new OutcomeBatch(Guid.NewGuid(), "telemetry-test", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, []);
                await channel.BasicPublishAsync(Topology.OutcomeExchange, string.Empty,
                    JsonSerializer.SerializeToUtf8Bytes(batch, MessagingJsonContext.Default.OutcomeBatch));
                await outcomes.WaitAsync(TimeSpan.FromSeconds(1));
            }
            Assert.True(outcomes.Total > 0, "this replica recorded no outcome batch of 20");
        }
        finally
        {
            await replica.DisposeAsync();
        }

        collector.AssertReceived("metrics", MonitorMetrics.BatchesReleasedName, "batches released counter");
        collector.AssertReceived("metrics", MonitorMetrics.PacketsReleasedName, "packets released counter");
        collector.AssertReceived("traces", MonitorMetrics.ReleaseBatchName, "release batch span");
        collector.AssertReceived("metrics", MonitorMetrics.OutcomeBatchesName, "outcome batches counter");
    }
}
