using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;

namespace ElasticRedPacket.ServiceDefaults.Tests;

[CollectionDefinition(nameof(TelemetryTests), DisableParallelization = true)]
public sealed class TelemetryTestsCollection;

/// <summary>OTLP export happens when an endpoint is configured, and nothing is exported (or fails) when none is.</summary>
/// <remarks>
/// Runs alone: a meter provider listens to every meter of its name in the process, so the other
/// tests' hosts starting and stopping beside it change what it collects; a service process has one host.
/// </remarks>
[Collection(nameof(TelemetryTests))]
public sealed class TelemetryTests
{
    [Fact]
    public async Task AddServiceDefaults_WithOtlpEndpoint_ExportsRequestTracesAndMetrics()
    {
        await using var collector = await OtlpCollector.StartAsync();
        var app = await StartServiceAsync(collector.Settings);
        using (var client = new HttpClient { BaseAddress = new Uri(Url(app)) })
        {
            Assert.Equal("pong", await client.GetStringAsync(new Uri("/ping", UriKind.Relative)));
        }
        // Disposing the host flushes the tracer and meter providers.
        await app.StopAsync();
        await app.DisposeAsync();

        Assert.Contains("/v1/traces", collector.Paths);
        Assert.Contains("/v1/metrics", collector.Paths);
        collector.AssertReceived("metrics", "http.server.request.duration", "the ASP.NET Core request metric");
    }

    [Fact]
    public async Task ServiceInstruments_WithOtlpEndpoint_ExportedUnderTheServiceNameOnly()
    {
        await using var collector = await OtlpCollector.StartAsync();
        var app = await StartServiceAsync(collector.Settings, services => services.AddSingleton<PingInstruments>());
        using (var client = new HttpClient { BaseAddress = new Uri(Url(app)) })
        {
            Assert.Equal("pong", await client.GetStringAsync(new Uri("/ping", UriKind.Relative)));
        }
        await app.StopAsync();
        await app.DisposeAsync();

        collector.AssertReceived("metrics", PingInstruments.PingsName, "the service's own counter");
        collector.AssertReceived("traces", PingInstruments.PingSpanName, "the service's own activity");
        Assert.False(collector.Received("metrics", PingInstruments.ForeignName), "a meter not named after the service was exported");
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

    private static async Task<WebApplication> StartServiceAsync(Dictionary<string, string?> settings, Action<IServiceCollection>? configure = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddServiceDefaults(PingInstruments.Service);
        configure?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGet("/ping", (IServiceProvider services) =>
        {
            services.GetService<PingInstruments>()?.Pinged();
            return "pong";
        });
        await app.StartAsync();
        return app;
    }

    private static string Url(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();

    /// <summary>A service's own instruments, the way each service declares them, plus a meter the service does not subscribe to.</summary>
    private sealed class PingInstruments : Telemetry.ServiceInstruments
    {
        public const string Service = "telemetry-test";
        public const string PingsName = "erp.test.pings";
        public const string PingSpanName = "erp.test.ping";
        public const string ForeignName = "erp.test.foreign";

        private readonly System.Diagnostics.Metrics.Counter<long> _pings;
        private readonly System.Diagnostics.Metrics.Counter<long> _foreign;

        public PingInstruments(System.Diagnostics.Metrics.IMeterFactory meters)
            : base(meters, Service)
        {
            _pings = Meter.CreateCounter<long>(PingsName);
            _foreign = meters.Create("not-" + Service).CreateCounter<long>(ForeignName);
        }

        public void Pinged()
        {
            using var activity = ActivitySource.StartActivity(PingSpanName);
            _pings.Add(1);
            _foreign.Add(1);
        }
    }
}
