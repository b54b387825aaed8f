using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ElasticRedPacket.ServiceDefaults.Telemetry;

public static class TelemetryExtensions
{
    public const string EndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ProtocolKey = "OTEL_EXPORTER_OTLP_PROTOCOL";

    // ASP.NET Core, HttpClient, Kestrel and the runtime publish these without instrumentation packages.
    private static readonly string[] FrameworkSources = ["Microsoft.AspNetCore", "System.Net.Http", "RabbitMQ.Client.Publisher", "RabbitMQ.Client.Subscriber", "Npgsql"];
    private static readonly string[] FrameworkMeters = ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Routing", "System.Net.Http", "System.Runtime", "Npgsql"];

    /// <summary>
    /// OTLP traces, metrics and logs when OTEL_EXPORTER_OTLP_ENDPOINT is set; nothing at all
    /// (no listeners, no cost) when it is not.
    /// </summary>
    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        var endpoint = builder.Configuration[EndpointKey];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return builder;
        }
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var endpointUri))
        {
            throw new InvalidConfigurationException(EndpointKey, "is not an absolute URI");
        }
        var protocol = builder.Configuration[ProtocolKey] switch
        {
            null or "" or "grpc" => OtlpExportProtocol.Grpc,
            "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            _ => throw new InvalidConfigurationException(ProtocolKey, "must be grpc or http/protobuf"),
        };
        // Read from configuration (not only the process environment) so appsettings and tests can set them.
        void Exporter(OtlpExporterOptions o, string signalPath)
        {
            o.Protocol = protocol;
            o.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf
                ? new Uri(endpointUri, endpointUri.AbsolutePath.TrimEnd('/') + signalPath)
                : endpointUri;
        }

        var resource = ResourceBuilder.CreateDefault().AddService(serviceName, serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId);
        builder.Logging.AddOpenTelemetry(o =>
        {
            o.SetResourceBuilder(resource);
            o.IncludeScopes = true;
            o.AddOtlpExporter(e => Exporter(e, "/v1/logs"));
        });
        // Headers, timeouts and batch settings still come from the standard OTEL_* environment variables.
        var tracer = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(FrameworkSources)
            .AddSource(serviceName)
            .AddOtlpExporter(e => Exporter(e, "/v1/traces"))
            .Build();
        var meter = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(FrameworkMeters)
            .AddMeter(serviceName)
            .AddOtlpExporter(e => Exporter(e, "/v1/metrics"))
            .Build();
        var providers = new TelemetryProviders(tracer, meter);
        builder.Services.AddSingleton(providers);
        // The container does not dispose instances it did not create: a hosted service flushes them on stop.
        builder.Services.AddHostedService(_ => providers);
        return builder;
    }
}

/// <summary>The process's tracer and meter providers; flushed and disposed when the host stops.</summary>
public sealed class TelemetryProviders(TracerProvider tracer, MeterProvider meter) : IHostedService, IDisposable
{
    public TracerProvider Tracer { get; } = tracer;

    public MeterProvider Meter { get; } = meter;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        DisposeQuietly(Tracer);
        DisposeQuietly(Meter);
    }

    // Flushing telemetry must never fail a host's stop: OpenTelemetry 1.20's TracerProviderSdk.Dispose and
    // MeterProviderSdk.Dispose throw NullReferenceException at times when several hosts in one process stop
    // (the test suite's in-process hosts). It is thrown after their shutdown flush, so what was exported is exported.
    private static void DisposeQuietly(IDisposable provider)
    {
        try
        {
            provider.Dispose();
        }
        catch (NullReferenceException ex)
        {
            Console.Error.WriteLine($"telemetry: disposing {provider.GetType().Name} failed ({ex.Message}); ignored at shutdown");
        }
    }
}
