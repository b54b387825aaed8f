using System.Globalization;
using StackExchange.Redis;

namespace ElasticRedPacket.Account.Services;

/// <summary>
/// Per-user fixed window in Redis: one Lua script increments the user's counter, starts the window
/// on the first attempt and answers how long the caller must wait when over the limit. Atomic and
/// shared by every account replica. When Redis is unreachable the limit fails open (logged): the
/// ledger still enforces one win per user, and refusing every grab would turn a Redis blip into an outage.
/// </summary>
public sealed partial class RateLimiter(IConnectionMultiplexer redis, IOptions<AccountOptions> options, ILogger<RateLimiter> logger)
{
    // Returns 0 when allowed, otherwise the milliseconds left in the window.
    // KEYS[1] = the user's counter, ARGV[1] = window in ms, ARGV[2] = permits per window.
    private const string Script = """
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        if count > tonumber(ARGV[2]) then
          local ttl = redis.call('PTTL', KEYS[1])
          if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
          return ttl
        end
        return 0
        """;

    private readonly int _permits = options.Value.RateLimitPermits;
    private readonly long _windowMs = options.Value.RateLimitWindowSeconds * 1000L;

    public static RedisKey KeyFor(long userId) => "erp:rate:user:" + userId.ToString(CultureInfo.InvariantCulture);

    /// <summary>0 when the attempt is allowed, otherwise the seconds to wait (at least 1).</summary>
    public async Task<int> TryAcquireAsync(long userId)
    {
        try
        {
            // StackExchange.Redis sends the script once and EVALSHA afterwards.
            var result = await redis.GetDatabase().ScriptEvaluateAsync(Script, [KeyFor(userId)], [_windowMs, _permits]);
            var waitMs = (long)result;
            return waitMs <= 0 ? 0 : (int)Math.Max(1, (waitMs + 999) / 1000);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogRedisUnavailable(logger, ex.Message);
            return 0;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate limit not applied, Redis unavailable: {Reason}")]
    private static partial void LogRedisUnavailable(ILogger logger, string reason);
}
