using System.Net;

namespace ElasticRedPacket.LoadTests.Client;

/// <summary>
/// The HTTP stack the load goes through: one SocketsHttpHandler with enough keep-alive connections
/// for the in-flight requests, no proxy, cookies, redirects or decompression. The load sends through
/// the handler directly (<see cref="LoadConnection"/>), skipping HttpClient's per-request base-address
/// resolution and timeout timer; set-up calls use an HttpClient.
/// </summary>
public static class LoadHttp
{
    public static SocketsHttpHandler CreateHandler(int maxConnections) => new()
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

    public static HttpClient Create(Uri baseAddress, int maxConnections, TimeSpan timeout) => new(CreateHandler(maxConnections), disposeHandler: true)
    {
        BaseAddress = baseAddress,
        Timeout = timeout,
        DefaultRequestVersion = HttpVersion.Version11,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };
}

/// <summary>The load's connection pool, its base address and its request timeouts.</summary>
public sealed class LoadConnection(Uri baseAddress, int maxConnections, TimeSpan timeout) : IDisposable
{
    public HttpMessageInvoker Invoker { get; } = new(LoadHttp.CreateHandler(maxConnections), disposeHandler: true);

    public RequestTimeouts Timeouts { get; } = new(timeout);

    /// <summary>An absolute URI for a path, built once per target rather than per request.</summary>
    public Uri UriFor(string path) => new(baseAddress, path);

    public void Dispose()
    {
        Invoker.Dispose();
        Timeouts.Dispose();
    }
}
