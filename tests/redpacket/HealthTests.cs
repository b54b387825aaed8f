using System.Net;

namespace ElasticRedPacket.RedPacket.Tests;

public sealed class HealthTests : IClassFixture<ServiceFactory<Program>>
{
    private readonly HttpClient _client;

    public HealthTests(ServiceFactory<Program> factory) => _client = factory.CreateClient();

    [Fact]
    public async Task Healthz_ProcessServing_Returns200()
    {
        var response = await _client.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Readyz_DependenciesUp_Returns200WithEveryCheckHealthy()
    {
        var response = await _client.GetAsync(new Uri("/readyz", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Contains("\"draining\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyRequest_WithCorrelationId_EchoesIt()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Add("X-Correlation-Id", "grab-123");
        var response = await _client.SendAsync(request);
        Assert.Equal("grab-123", response.Headers.GetValues("X-Correlation-Id").Single());
    }
}
