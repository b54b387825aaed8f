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
        PageAssertions.SecurityHeaders(response);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Contains("id=\"issue-form\"", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/monitor/monitor.js?v=4", "text/javascript")]
    [InlineData("/monitor/monitor.css?v=4", "text/css")]
    public async Task Monitor_Assets_CachedForADay(string path, string mediaType)
    {
        PageAssertions.CachedAsset(await _client.GetAsync(path), mediaType);
    }
}
