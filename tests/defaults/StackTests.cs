using System.Net;

namespace ElasticRedPacket.ServiceDefaults.Tests;

/// <summary>The stack the test command started: every service answers through the nginx ingress.</summary>
public sealed class StackTests
{
    private static readonly HttpClient Client = new() { BaseAddress = StackEnvironment.Current.NginxUrl, Timeout = TimeSpan.FromSeconds(10) };

    [Theory]
    [InlineData("webpage")]
    [InlineData("account")]
    [InlineData("redpacket")]
    [InlineData("monitor")]
    public async Task Readyz_ThroughNginx_Returns200(string service)
    {
        var response = await Client.GetAsync(new Uri($"/_stack/{service}/readyz", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{service}: {(int)response.StatusCode} {body}");
        Assert.Contains("Healthy", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownService_ThroughNginx_IsNotRoutedToAProbe()
    {
        var response = await Client.GetAsync(new Uri("/_stack/nosuch/readyz", UriKind.Relative));
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }
}
