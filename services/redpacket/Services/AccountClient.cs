using System.Net;
using System.Net.Http.Json;
using ElasticRedPacket.RedPacket.Apis;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace ElasticRedPacket.RedPacket.Services;

/// <summary>
/// Calls account's /internal/verify/batch through a Polly pipeline: one retry on a transient failure,
/// a circuit breaker, a timeout per attempt. One HttpClient (pooled keep-alive connections) for the process.
/// </summary>
public sealed partial class AccountClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ResiliencePipeline _pipeline;
    private readonly ILogger<AccountClient> _logger;

    public AccountClient(IOptions<ServicesOptions> services, IOptions<GrabOptions> options, ILogger<AccountClient> logger)
    {
        var grab = options.Value;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            MaxConnectionsPerServer = 512,
            ConnectTimeout = TimeSpan.FromSeconds(1),
        })
        {
            BaseAddress = new Uri(services.Value.AccountUrl.TrimEnd('/') + "/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };

        var transient = new PredicateBuilder()
            .Handle<HttpRequestException>()
            .Handle<System.Net.Sockets.SocketException>() // a connection reset while connecting can escape HttpClient unwrapped
            .Handle<IOException>()
            .Handle<TimeoutRejectedException>()
            .Handle<AccountUnavailableException>();
        _pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 1, Delay = TimeSpan.FromMilliseconds(20), ShouldHandle = transient })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = grab.BreakerMinimumThroughput,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = TimeSpan.FromSeconds(grab.BreakerBreakSeconds),
                ShouldHandle = transient,
                OnOpened = args => { LogBreakerOpened(_logger, args.BreakDuration.TotalSeconds); return default; },
                OnClosed = _ => { LogBreakerClosed(_logger); return default; },
            })
            .AddTimeout(TimeSpan.FromMilliseconds(grab.VerifyTimeoutMilliseconds))
            .Build();
    }

    /// <summary>One result per item, in order; throws when account could not answer (breaker open, timeout, 5xx).</summary>
    public async Task<IReadOnlyList<VerifyResponse>> VerifyAsync(VerifyBatchRequest batch, CancellationToken cancellationToken) =>
        await _pipeline.ExecuteAsync(
            static async (state, ct) => await state.Item1.CallAsync(state.batch, ct),
            (this, batch),
            cancellationToken);

    private async ValueTask<IReadOnlyList<VerifyResponse>> CallAsync(VerifyBatchRequest batch, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync("internal/verify/batch", batch, GrabJsonContext.Default.VerifyBatchRequest, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new AccountUnavailableException(response.StatusCode);
        }
        var body = await response.Content.ReadFromJsonAsync(GrabJsonContext.Default.VerifyBatchResponse, cancellationToken);
        return body?.Results is { } results && results.Count == batch.Items.Count
            ? results
            : throw new AccountUnavailableException(response.StatusCode);
    }

    public void Dispose() => _http.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "account verify breaker opened for {Seconds} s: grabs are shed or checked locally")]
    private static partial void LogBreakerOpened(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "account verify breaker closed")]
    private static partial void LogBreakerClosed(ILogger logger);
}

public sealed class AccountUnavailableException(HttpStatusCode status) : Exception($"account answered {(int)status}");
