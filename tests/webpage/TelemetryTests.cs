using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ElasticRedPacket.Webpage.Telemetry;

namespace ElasticRedPacket.Webpage.Tests;

/// <summary>webpage exports its own instrument over OTLP: grab pages served, in full or revalidated.</summary>
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

        Assert.True(collector.Received("metrics", PageMetrics.PagesServedName), "pages served counter not exported");
    }
}
