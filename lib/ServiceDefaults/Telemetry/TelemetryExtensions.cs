using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ElasticRedPacket.ServiceDefaults.Telemetry;

public static class TelemetryExtensions
{
    public const string EndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

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
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out _))
        {
            throw new InvalidConfigurationException(EndpointKey, "is not an absolute URI");
        }

        var resource = ResourceBuilder.CreateDefault().AddService(serviceName, serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId);
        builder.Logging.AddOpenTelemetry(o =>
        {
            o.SetResourceBuilder(resource);
            o.IncludeScopes = true;
            o.AddOtlpExporter();
        });
        // The exporter reads the standard OTEL_* environment variables itself (endpoint, protocol, headers).
        var tracer = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(FrameworkSources)
            .AddSource(serviceName)
            .AddOtlpExporter()
            .Build();
        var meter = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(FrameworkMeters)
            .AddMeter(serviceName)
            .AddOtlpExporter()
            .Build();
        builder.Services.AddSingleton(new TelemetryProviders(tracer, meter));
        return builder;
    }
}

/// <summary>Owned by the container so the providers flush on shutdown.</summary>
public sealed class TelemetryProviders(TracerProvider tracer, MeterProvider meter) : IDisposable
{
    public TracerProvider Tracer { get; } = tracer;

    public MeterProvider Meter { get; } = meter;

    public void Dispose()
    {
        Tracer.Dispose();
        Meter.Dispose();
    }
}
