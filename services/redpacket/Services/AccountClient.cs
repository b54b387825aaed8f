using System.Net;
using System.Net.Http.Json;
using ElasticRedPacket.RedPacket.Apis;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace ElasticRedPacket.RedPacket.Services;

/// <summary>
/// Calls account's /internal/verify/batch through a Polly pipeline: one retry on a transient failure
/// (transport error, timeout, 5xx, 408, 429), a circuit breaker, a timeout per attempt. Any other 4xx
/// means redpacket's call is wrong: it is not retried (the same call would fail again) but it counts
/// as a failure for the breaker, so a contract mismatch sheds fast instead of costing account a call
/// per grab. One HttpClient (pooled keep-alive connections) for the process.
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

        _pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 1,
                Delay = TimeSpan.FromMilliseconds(20),
                ShouldHandle = static args => ValueTask.FromResult(IsTransientFailure(args.Outcome.Exception)),
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = grab.BreakerMinimumThroughput,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = TimeSpan.FromSeconds(grab.BreakerBreakSeconds),
                ShouldHandle = static args => ValueTask.FromResult(IsTransientFailure(args.Outcome.Exception) || args.Outcome.Exception is AccountRejectedException),
                OnOpened = args => { LogBreakerOpened(_logger, args.BreakDuration.TotalSeconds); return default; },
                OnClosed = _ => { LogBreakerClosed(_logger); return default; },
            })
            .AddTimeout(TimeSpan.FromMilliseconds(grab.VerifyTimeoutMilliseconds))
            .Build();
    }

    /// <summary>One result per item, in order; throws when account could not answer (breaker open, timeout, 5xx) or refused the call (4xx).</summary>
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
            throw IsTransient(response.StatusCode) ? new AccountUnavailableException(response.StatusCode) : new AccountRejectedException(response.StatusCode);
        }
        var body = await response.Content.ReadFromJsonAsync(GrabJsonContext.Default.VerifyBatchResponse, cancellationToken);
        return body?.Results is { } results && results.Count == batch.Items.Count
            ? results
            : throw new AccountRejectedException(response.StatusCode); // an answer that breaks the contract: asking again gets the same
    }

    private static bool IsTransientFailure(Exception? exception) => exception
        is HttpRequestException
        or System.Net.Sockets.SocketException // a connection reset while connecting can escape HttpClient unwrapped
        or IOException
        or TimeoutRejectedException
        or AccountUnavailableException;

    /// <summary>Statuses worth one more attempt: account or the path to it is failing or overloaded, not the call.</summary>
    public static bool IsTransient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    public void Dispose() => _http.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "account verify breaker opened for {Seconds} s: grabs are shed or checked locally")]
    private static partial void LogBreakerOpened(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "account verify breaker closed")]
    private static partial void LogBreakerClosed(ILogger logger);
}

/// <summary>Account could not answer now (5xx, 408, 429): worth one retry.</summary>
public sealed class AccountUnavailableException(HttpStatusCode status) : Exception($"account answered {(int)status}");

/// <summary>Account refused the call itself (a 4xx other than 408/429, or a reply that breaks the contract): a bug, not retried.</summary>
public sealed class AccountRejectedException(HttpStatusCode status) : Exception($"account refused the verify call ({(int)status})");
