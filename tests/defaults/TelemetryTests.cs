using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace ElasticRedPacket.ServiceDefaults.Tests;

/// <summary>OTLP export happens when an endpoint is configured, and nothing is exported (or fails) when none is.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task AddServiceDefaults_WithOtlpEndpoint_ExportsRequestTracesAndMetrics()
    {
        await using var collector = await OtlpCollector.StartAsync();
        var app = await StartServiceAsync(new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Url,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        });
        using (var client = new HttpClient { BaseAddress = new Uri(Url(app)) })
        {
            Assert.Equal("pong", await client.GetStringAsync(new Uri("/ping", UriKind.Relative)));
        }
        // Disposing the host flushes the tracer and meter providers.
        await app.StopAsync();
        await app.DisposeAsync();

        Assert.Contains("/v1/traces", collector.Paths);
        Assert.Contains("/v1/metrics", collector.Paths);
    }

    [Fact]
    public async Task AddServiceDefaults_WithoutEndpoint_RegistersNoProvidersAndServes()
    {
        var app = await StartServiceAsync(new());
        Assert.Null(app.Services.GetService<Telemetry.TelemetryProviders>());
        using var client = new HttpClient { BaseAddress = new Uri(Url(app)) };
        Assert.Equal("pong", await client.GetStringAsync(new Uri("/ping", UriKind.Relative)));
        await app.DisposeAsync();
    }

    [Fact]
    public void AddServiceDefaults_UnknownProtocol_FailsNamingSetting()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4317",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "carrier-pigeon",
        });
        var ex = Assert.Throws<InvalidConfigurationException>(() => builder.AddServiceDefaults("test"));
        Assert.Contains("OTEL_EXPORTER_OTLP_PROTOCOL", ex.Message, StringComparison.Ordinal);
    }

    private static async Task<WebApplication> StartServiceAsync(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddServiceDefaults("telemetry-test");
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGet("/ping", () => "pong");
        await app.StartAsync();
        return app;
    }

    private static string Url(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();

    /// <summary>A minimal OTLP/HTTP receiver: records which signal paths were posted to.</summary>
    private sealed class OtlpCollector : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private OtlpCollector(WebApplication app) => _app = app;

        public ConcurrentBag<string> Paths { get; } = [];

        public string Url => TelemetryTests.Url(_app);

        public static async Task<OtlpCollector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var collector = new OtlpCollector(app);
            app.MapPost("/v1/{signal}", async (HttpContext context, string signal) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                if (body.Length > 0)
                {
                    collector.Paths.Add("/v1/" + signal);
                }
                return Results.Ok();
            });
            await app.StartAsync();
            return collector;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
