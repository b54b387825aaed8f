using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ElasticRedPacket.Webpage.Telemetry;

namespace ElasticRedPacket.Webpage.Tests;

[CollectionDefinition(nameof(TelemetryTests), DisableParallelization = true)]
public sealed class TelemetryTestsCollection;

/// <summary>webpage exports its own instrument over OTLP: grab pages served, in full or revalidated.</summary>
/// <remarks>
/// Runs alone: a meter provider listens to every meter of its name in the process, so the other
/// tests' hosts starting and stopping beside it change what it collects; a service process has one host.
/// </remarks>
[Collection(nameof(TelemetryTests))]
public sealed class TelemetryTests
{
    [Fact]
    public async Task GrabPage_WithOtlpEndpoint_ExportsPagesServed()
    {
        await using var collector = await OtlpCollector.StartAsync();
        var replica = ServiceFactory<Program>.WithSettings(collector.Settings);
        try
        {
            using var watch = new InstrumentWatch("webpage", PageMetrics.PagesServedName, replica.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
            var client = replica.CreateClient();
            using var page = await client.GetAsync(new Uri("/", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            using var asset = await client.GetAsync(new Uri("/app.css", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
            Assert.Equal(1, watch.Total); // the page, not its assets
        }
        finally
        {
            await replica.DisposeAsync();
        }

        collector.AssertReceived("metrics", PageMetrics.PagesServedName, "pages served counter");
    }
}
