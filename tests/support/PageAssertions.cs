using Xunit;

namespace ElasticRedPacket.TestSupport;

/// <summary>What every HTML page and asset answer must carry (the grab page, the monitor).</summary>
public static class PageAssertions
{
    public static void SecurityHeaders(HttpResponseMessage response)
    {
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    /// <summary>A versioned asset: served with its type, cached for a day.</summary>
    public static void CachedAsset(HttpResponseMessage response, string mediaType)
    {
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromDays(1), response.Headers.CacheControl?.MaxAge);
        SecurityHeaders(response);
    }
}
