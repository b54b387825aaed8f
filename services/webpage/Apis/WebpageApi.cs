namespace ElasticRedPacket.Webpage.Apis;

public static class WebpageApi
{
    public static IEndpointRouteBuilder MapWebpageApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/webpage/info", () => TypedResults.Ok(new ServiceInfo("webpage", typeof(WebpageApi).Assembly.GetName().Version?.ToString() ?? "0")));
        return app;
    }
}

public sealed record ServiceInfo(string Service, string Version);
