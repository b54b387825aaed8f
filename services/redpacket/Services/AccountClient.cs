using System.Net;
using System.Net.Http.Json;
using ElasticRedPacket.RedPacket.Apis;
using ElasticRedPacket.ServiceDefaults.Auth;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace ElasticRedPacket.RedPacket.Services;

public enum VerifyDecision
{
    Allowed,
    Unauthorized,
    RateLimited,
    Shed,
}

/// <summary>VerifiedBy: "account", or "local" when account was unreachable and the operator allowed the local token check.</summary>
public readonly record struct Verification(VerifyDecision Decision, long UserId, int RetryAfterSeconds, string VerifiedBy);

/// <summary>
/// Asks account's /internal/verify through a Polly pipeline: one retry on a transient failure, a
/// circuit breaker, a timeout per attempt. One HttpClient (pooled keep-alive connections) for the process.
/// </summary>
public sealed partial class AccountClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ResiliencePipeline _pipeline;
    private readonly TokenSigner _signer;
    private readonly GrabOptions _options;
    private readonly ILogger<AccountClient> _logger;

    public AccountClient(IOptions<ServicesOptions> services, IOptions<GrabOptions> options, TokenSigner signer, ILogger<AccountClient> logger)
    {
        _options = options.Value;
        _signer = signer;
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
                MinimumThroughput = _options.BreakerMinimumThroughput,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = TimeSpan.FromSeconds(_options.BreakerBreakSeconds),
                ShouldHandle = transient,
                OnOpened = args => { LogBreakerOpened(_logger, args.BreakDuration.TotalSeconds); return default; },
                OnClosed = _ => { LogBreakerClosed(_logger); return default; },
            })
            .AddTimeout(TimeSpan.FromMilliseconds(_options.VerifyTimeoutMilliseconds))
            .Build();
    }

    public async Task<Verification> VerifyAsync(string token, long campaignId, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _pipeline.ExecuteAsync(
                static async (state, ct) => await state.Item1.CallAsync(state.token, state.campaignId, ct),
                (this, token, campaignId),
                cancellationToken);
            return new Verification(Parse(response.Decision), response.UserId, response.RetryAfterSeconds, "account");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (_options.DegradeToLocalTokenCheck)
            {
                return _signer.TryValidate(token, out var userId)
                    ? new Verification(VerifyDecision.Allowed, userId, 0, "local")
                    : new Verification(VerifyDecision.Unauthorized, 0, 0, "local");
            }
            return new Verification(VerifyDecision.Shed, 0, _options.BreakerBreakSeconds, "none");
        }
    }

    private async ValueTask<VerifyResponse> CallAsync(string token, long campaignId, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync("internal/verify", new VerifyRequest(token, campaignId), GrabJsonContext.Default.VerifyRequest, cancellationToken);
        if (response.StatusCode >= HttpStatusCode.InternalServerError || response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            throw new AccountUnavailableException(response.StatusCode);
        }
        if (!response.IsSuccessStatusCode)
        {
            return new VerifyResponse("unauthorized", 0, 0);
        }
        return await response.Content.ReadFromJsonAsync(GrabJsonContext.Default.VerifyResponse, cancellationToken)
            ?? throw new AccountUnavailableException(response.StatusCode);
    }

    private static VerifyDecision Parse(string? decision) => decision switch
    {
        "allowed" => VerifyDecision.Allowed,
        "rate_limited" => VerifyDecision.RateLimited,
        "shed" => VerifyDecision.Shed,
        _ => VerifyDecision.Unauthorized,
    };

    public void Dispose() => _http.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "account verify breaker opened for {Seconds} s: grabs are shed or checked locally")]
    private static partial void LogBreakerOpened(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "account verify breaker closed")]
    private static partial void LogBreakerClosed(ILogger logger);
}

public sealed class AccountUnavailableException(HttpStatusCode status) : Exception($"account answered {(int)status}");
