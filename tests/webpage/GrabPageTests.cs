using System.Net;

namespace ElasticRedPacket.Webpage.Tests;

public sealed class GrabPageTests : IClassFixture<ServiceFactory<Program>>
{
    private readonly HttpClient _client;

    public GrabPageTests(ServiceFactory<Program> factory) => _client = factory.CreateClient();

    [Fact]
    public async Task Root_Page_ServedWithSecurityHeadersAndRevalidated()
    {
        var response = await _client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        PageAssertions.SecurityHeaders(response);
        Assert.True(response.Headers.CacheControl?.NoCache);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("id=\"login-form\"", html);
        Assert.Contains("name=\"viewport\"", html);
    }

    [Theory]
    [InlineData("/app.js?v=2", "text/javascript")]
    [InlineData("/app.css?v=2", "text/css")]
    public async Task Assets_Versioned_CachedForADayWithSecurityHeaders(string path, string mediaType)
    {
        PageAssertions.CachedAsset(await _client.GetAsync(path), mediaType);
    }

    [Fact]
    public async Task Assets_Revalidated_NotModifiedWithETag()
    {
        var first = await _client.GetAsync("/app.js?v=2");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/app.js?v=2");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        var second = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Fact]
    public async Task Script_HasNoInlineHtmlInjection_UsesTextContentOnly()
    {
        // The page renders campaign names and outcomes with textContent: names from operators never become markup.
        var script = await _client.GetStringAsync("/app.js?v=2");
        Assert.DoesNotContain("innerHTML", script);
        Assert.DoesNotContain("eval(", script);
    }
}
