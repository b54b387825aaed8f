namespace ElasticRedPacket.Webpage.Security;

/// <summary>
/// Cache headers for the grab page: the HTML is revalidated on every load; the assets it names carry
/// a version in their URL (?v=N), so they may be cached for a day.
/// </summary>
public static class PageHeaders
{
    public static StaticFileOptions CachedAssets() => new()
    {
        OnPrepareResponse = ctx =>
        {
            var isPage = ctx.File.Name.EndsWith(".html", StringComparison.OrdinalIgnoreCase);
            ctx.Context.Response.Headers.CacheControl = isPage ? "no-cache" : "public, max-age=86400";
        },
    };
}
