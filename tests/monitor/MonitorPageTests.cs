using System.Net;

namespace ElasticRedPacket.Monitor.Tests;

public sealed class MonitorPageTests : IClassFixture<ServiceFactory<Program>>
{
    private readonly HttpClient _client;

    public MonitorPageTests(ServiceFactory<Program> factory) => _client = factory.CreateClient();

    [Fact]
    public async Task Monitor_Page_ServedWithSecurityHeadersAndNoCache()
    {
        var response = await _client.GetAsync("/monitor");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Contains("id=\"issue-form\"", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/monitor/monitor.js?v=1", "text/javascript")]
    [InlineData("/monitor/monitor.css?v=1", "text/css")]
    public async Task Monitor_Assets_CachedForADay(string path, string mediaType)
    {
        var response = await _client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromDays(1), response.Headers.CacheControl?.MaxAge);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }
}
