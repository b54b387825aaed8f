using ElasticRedPacket.ServiceDefaults.Security;
using ElasticRedPacket.Webpage.Security;
using ElasticRedPacket.Webpage.Telemetry;

namespace ElasticRedPacket.Webpage.Extensions;

internal static class Extensions
{
    // The grab page is static: the browser calls account, redpacket and monitor through the ingress.
    public static void AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PageMetrics>();
    }

    /// <summary>wwwroot with security and cache headers; "/" serves index.html.</summary>
    public static WebApplication UseGrabPage(this WebApplication app)
    {
        app.UsePageSecurityHeaders();
        var metrics = app.Services.GetRequiredService<PageMetrics>();
        app.Use(async (context, next) =>
        {
            await next(context);
            metrics.Answered(context);
        });
        app.UseDefaultFiles();
        app.UseStaticFiles(PageHeaders.CachedAssets());
        return app;
    }
}
