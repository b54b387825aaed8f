using System.Net;

namespace ElasticRedPacket.LoadTests.Client;

/// <summary>
/// The HttpClient the load goes through: one SocketsHttpHandler with enough keep-alive connections
/// for the in-flight requests, no proxy, cookies, redirects or decompression on the hot path.
/// </summary>
public static class LoadHttp
{
    public static HttpClient Create(Uri baseAddress, int maxConnections, TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        return new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = baseAddress,
            Timeout = timeout,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }
}
