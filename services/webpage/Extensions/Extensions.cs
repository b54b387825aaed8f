using ElasticRedPacket.ServiceDefaults.Security;
using ElasticRedPacket.Webpage.Security;

namespace ElasticRedPacket.Webpage.Extensions;

internal static class Extensions
{
    // The grab page is static: the browser calls account, redpacket and monitor through the ingress.
    public static void AddApplicationServices(this WebApplicationBuilder builder)
    {
        _ = builder;
    }

    /// <summary>wwwroot with security and cache headers; "/" serves index.html.</summary>
    public static WebApplication UseGrabPage(this WebApplication app)
    {
        app.UsePageSecurityHeaders();
        app.UseDefaultFiles();
        app.UseStaticFiles(PageHeaders.CachedAssets());
        return app;
    }
}
