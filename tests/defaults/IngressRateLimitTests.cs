using System.Net;
using System.Text.Json;

namespace ElasticRedPacket.ServiceDefaults.Tests;

[CollectionDefinition(nameof(IngressRateLimitTests), DisableParallelization = true)]
public sealed class IngressRateLimitCollection;

/// <summary>
/// nginx's per-IP rate limit on POST /api/grab (deploy/local/nginx.sh, ERP_NGINX_GRAB_RATE): off by
/// default, rendered and validated when set, and when on the excess gets 429 with a ProblemDetails
/// body. The live check turns it on for a moment and off again; it runs alone so no other test meets
/// the limit. Grabs here carry an invalid body, so an admitted one is a 400 and changes nothing.
/// </summary>
[Collection(nameof(IngressRateLimitTests))]
public sealed class IngressRateLimitTests
{
    private static readonly Dictionary<string, string> Off = new() { ["ERP_NGINX_GRAB_RATE"] = "" };

    [Fact]
    public async Task NginxConfig_GrabRateSet_RenderedAndValid()
    {
        var path = (await StackScripts.RunAsync(new Dictionary<string, string> { ["ERP_NGINX_GRAB_RATE"] = "7r/s", ["ERP_NGINX_GRAB_BURST"] = "3" }, "nginx.sh", "check")).Trim();
        var config = await File.ReadAllTextAsync(path);

        Assert.Contains("limit_req_zone $binary_remote_addr zone=grab_per_ip:10m rate=7r/s;", config, StringComparison.Ordinal);
        var grabLocation = config.Split('\n').Single(l => l.Contains("location = /api/grab ", StringComparison.Ordinal));
        Assert.Contains("limit_req zone=grab_per_ip burst=3 nodelay;", grabLocation, StringComparison.Ordinal);
        // Only the grab is limited: no other location names the zone.
        Assert.Single(config.Split('\n'), l => l.Contains("limit_req zone=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NginxConfig_ByDefault_NoRateLimit()
    {
        var path = (await StackScripts.RunAsync(Off, "nginx.sh", "check")).Trim();

        Assert.DoesNotContain("limit_req", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fast", "")]
    [InlineData("0r/s", "")]
    [InlineData("10r/s", "-1")]
    public async Task NginxConfig_MalformedRate_Refused(string rate, string burst)
    {
        var environment = new Dictionary<string, string> { ["ERP_NGINX_GRAB_RATE"] = rate, ["ERP_NGINX_GRAB_BURST"] = burst };

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StackScripts.RunAsync(environment, "nginx.sh", "check"));

        Assert.Contains("ERP_NGINX_GRAB", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grab_OverThePerIpRate_429ProblemDetailsUntilTurnedOff()
    {
        List<HttpResponseSummary> limited;
        try
        {
            await StackScripts.RunAsync(new Dictionary<string, string> { ["ERP_NGINX_GRAB_RATE"] = "5r/s", ["ERP_NGINX_GRAB_BURST"] = "5" }, "nginx.sh");
            // The first burst that meets the limit only says the reload is live: it may have begun on an old worker,
            // without the limit, and crossed to a new one midway. Once the old workers are gone and the bucket refilled,
            // one burst is measured.
            await BurstUntilAsync(responses => responses.Any(r => r.Status == HttpStatusCode.TooManyRequests));
            await Task.Delay(1500);
            limited = await BurstAsync();
        }
        finally
        {
            await StackScripts.RunAsync(Off, "nginx.sh");
        }
        var unlimited = await BurstUntilAsync(responses => responses.All(r => r.Status != HttpStatusCode.TooManyRequests));

        // 5 a second with a burst of 5: about 6 of 20 quick requests pass, the rest are refused by nginx.
        Assert.InRange(limited.Count(r => r.Status == HttpStatusCode.BadRequest), 5, 10);
        var refused = limited.Where(r => r.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.InRange(refused.Count, 10, 15);
        Assert.All(refused, r =>
        {
            Assert.Equal("application/problem+json", r.ContentType);
            Assert.Equal("1", r.RetryAfter);
            using var body = JsonDocument.Parse(r.Body);
            Assert.Equal(429, body.RootElement.GetProperty("status").GetInt32());
            Assert.Equal("Too Many Requests", body.RootElement.GetProperty("title").GetString());
            Assert.Equal("rate_limited", body.RootElement.GetProperty("outcome").GetString());
        });
        Assert.All(unlimited, r => Assert.Equal(HttpStatusCode.BadRequest, r.Status));
    }

    private sealed record HttpResponseSummary(HttpStatusCode Status, string? ContentType, string? RetryAfter, string Body);

    /// <summary>
    /// 20 grabs in quick succession on fresh connections (old nginx workers keep the old config for the
    /// connections they hold), repeated until <paramref name="done"/> holds (a reload takes a moment); bounded to 5 s.
    /// </summary>
    private static async Task<List<HttpResponseSummary>> BurstUntilAsync(Func<List<HttpResponseSummary>, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            var responses = await BurstAsync();
            if (done(responses) || DateTime.UtcNow > deadline)
            {
                return responses;
            }
            await Task.Delay(1000); // let the limit's bucket refill before the next try
        }
    }

    /// <summary>20 grabs in quick succession on a fresh connection.</summary>
    private static async Task<List<HttpResponseSummary>> BurstAsync()
    {
        using var client = new HttpClient { BaseAddress = StackEnvironment.Current.NginxUrl, Timeout = TimeSpan.FromSeconds(5) };
        var responses = new List<HttpResponseSummary>();
        for (var i = 0; i < 20; i++)
        {
            using var response = await PostInvalidGrabAsync(client);
            responses.Add(new HttpResponseSummary(response.StatusCode, response.Content.Headers.ContentType?.MediaType,
                response.Headers.TryGetValues("Retry-After", out var retry) ? retry.Single() : null, await response.Content.ReadAsStringAsync()));
        }
        return responses;
    }

    /// <summary>
    /// One invalid grab (a 400 that changes nothing). Sent once more on a new connection when nginx cut the kept-alive
    /// one at that very moment (its old workers close their connections at a reload), as an HTTP/1.1 client does.
    /// </summary>
    private static async Task<HttpResponseMessage> PostInvalidGrabAsync(HttpClient client)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var content = new StringContent("{\"campaignId\":0}", System.Text.Encoding.UTF8, "application/json");
            try
            {
                return await client.PostAsync(new Uri("/api/grab", UriKind.Relative), content);
            }
            catch (HttpRequestException ex) when (attempt == 1 && ex.InnerException is IOException)
            {
            }
        }
    }
}
