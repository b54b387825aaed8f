using System.Buffers;
using ElasticRedPacket.LoadTests.Load;
using ElasticRedPacket.LoadTests.Metrics;

namespace ElasticRedPacket.LoadTests.Client;

/// <summary>A GET of a trivial endpoint (by default webpage's /healthz through the ingress): the ceiling the grab path is compared with.</summary>
public sealed class TrivialTarget(LoadConnection connection, string path) : ILoadTarget
{
    private const int Ok = 0;
    private readonly Uri _uri = connection.UriFor(path);

    public OutcomeSet Outcomes { get; } = new(["ok"]);

    public async ValueTask<Sample> ExecuteAsync(long sequence, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _uri) { Version = System.Net.HttpVersion.Version11 };
        using var response = await connection.Invoker.SendAsync(request, connection.Timeouts.Token);
        var buffer = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            var length = await ResponseBody.ReadAsync(response, buffer, connection.Timeouts.Token);
            var status = (int)response.StatusCode;
            return new Sample(response.IsSuccessStatusCode ? Ok : Outcomes.HttpError, status, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
