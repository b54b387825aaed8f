namespace ElasticRedPacket.ServiceDefaults.Security;

/// <summary>
/// Headers for the HTML pages (the grab page, the operator monitor) and their assets: only the
/// service's own scripts, styles and API calls; no framing; no MIME sniffing; no referrer.
/// </summary>
public static class PageSecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

    /// <summary>Adds the headers to every response under <paramref name="pathPrefix"/> (null: every response).</summary>
    public static IApplicationBuilder UsePageSecurityHeaders(this IApplicationBuilder app, PathString? pathPrefix = null) =>
        app.Use((context, next) =>
        {
            if (pathPrefix is not { } prefix || context.Request.Path.StartsWithSegments(prefix, StringComparison.Ordinal))
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
            }
            return next(context);
        });
}
