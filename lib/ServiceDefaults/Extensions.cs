using System.Text.Json;
using ElasticRedPacket.ServiceDefaults.Health;
using ElasticRedPacket.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ElasticRedPacket.ServiceDefaults;

public static class Extensions
{
    private const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>What every service wires the same way: logs, telemetry, health, shutdown, Kestrel, ProblemDetails.</summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            o.UseUtcTimestamp = true;
            o.JsonWriterOptions = new JsonWriterOptions { Indented = false };
        });
        // ASP.NET Core's hosting starts an Activity and a log scope for every request whenever its logger is
        // enabled at any level, even with nothing listening; its own messages are Information (off at the default
        // Warning for Microsoft.AspNetCore), so it is off unless configured. Tracing (OTLP) still gets its
        // activities through the ActivitySource listener. docs/performance.md, session 6.
        if (builder.Configuration[$"Logging:LogLevel:{HostingDiagnosticsCategory}"] is null)
        {
            builder.Logging.AddFilter(HostingDiagnosticsCategory, LogLevel.None);
        }
        builder.AddTelemetry(serviceName);

        builder.Services.AddSettings<ShutdownOptions>(ShutdownOptions.Section);
        var shutdown = builder.Configuration.GetSection(ShutdownOptions.Section).Get<ShutdownOptions>() ?? new ShutdownOptions();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(shutdown.DrainSeconds));

        builder.WebHost.ConfigureKestrel(o =>
        {
            o.AddServerHeader = false;
            o.Limits.MaxRequestBodySize = 64 * 1024;
        });

        builder.Services.AddProblemDetails();
        var drain = new DrainState();
        builder.Services.AddSingleton(drain);
        builder.Services.AddHealthChecks().AddCheck("draining", drain, HealthStatus.Unhealthy, [HealthTags.Ready]);
        return builder;
    }

    /// <summary>
    /// /healthz (liveness: the process serves) and /readyz (readiness: every dependency answers and
    /// the process is not draining). Mapped in every environment: Kubernetes probes need them.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseCorrelationId();
        app.UseExceptionHandler();
        app.UseStatusCodePages();

        var drain = app.Services.GetRequiredService<DrainState>();
        app.Lifetime.ApplicationStopping.Register(drain.BeginDrain);

        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(HealthTags.Ready),
            ResponseWriter = WriteReadiness,
        });
        return app;
    }

    private static Task WriteReadiness(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), e.Value.Description }),
        });
    }
}

public sealed class ShutdownOptions
{
    public const string Section = "Shutdown";

    /// <summary>How long in-flight requests and buffered messages get to finish after SIGTERM.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 300)]
    public int DrainSeconds { get; set; } = 20;
}
