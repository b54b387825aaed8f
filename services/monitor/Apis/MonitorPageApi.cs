using Microsoft.AspNetCore.Http.HttpResults;

namespace ElasticRedPacket.Monitor.Apis;

/// <summary>/monitor: the operator dashboard, a static page (wwwroot/monitor) that polls the API.</summary>
public static class MonitorPageApi
{
    public static IEndpointRouteBuilder MapMonitorPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/monitor", ServePage);
        return app;
    }

    private static PhysicalFileHttpResult ServePage(IWebHostEnvironment environment, HttpContext context)
    {
        // The page itself is revalidated every time; its assets carry a version and are cached.
        context.Response.Headers.CacheControl = "no-cache";
        return TypedResults.PhysicalFile(Path.Combine(environment.WebRootPath, "monitor", "index.html"), "text/html; charset=utf-8");
    }
}
