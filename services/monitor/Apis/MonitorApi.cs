namespace ElasticRedPacket.Monitor.Apis;

public static class MonitorApi
{
    public static IEndpointRouteBuilder MapMonitorApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/monitor/info", () => TypedResults.Ok(new ServiceInfo("monitor", typeof(MonitorApi).Assembly.GetName().Version?.ToString() ?? "0")));
        return app;
    }
}

public sealed record ServiceInfo(string Service, string Version);
