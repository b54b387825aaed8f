using System.Globalization;
using StackExchange.Redis;

namespace ElasticRedPacket.Account.Services;

/// <summary>
/// Per-user fixed window in Redis: one Lua script increments the user's counter, starts the window
/// on the first attempt and answers how long the caller must wait when over the limit. Atomic and
/// shared by every account replica. A batch of users costs one script call (one round trip, keys in
/// order, so a user twice in a batch counts twice). When Redis is unreachable the limit fails open
/// (logged): the ledger still enforces one win per user, and refusing every grab would turn a Redis
/// blip into an outage.
/// </summary>
public sealed partial class RateLimiter(IConnectionMultiplexer redis, IOptions<AccountOptions> options, ILogger<RateLimiter> logger)
{
    // Returns, per key, 0 when allowed, otherwise the milliseconds left in the window.
    // KEYS = the users' counters, ARGV[1] = window in ms, ARGV[2] = permits per window.
    private const string Script = """
        local waits = {}
        local window, permits = tonumber(ARGV[1]), tonumber(ARGV[2])
        for i, key in ipairs(KEYS) do
          local count = redis.call('INCR', key)
          if count == 1 then redis.call('PEXPIRE', key, window) end
          local wait = 0
          if count > permits then
            wait = redis.call('PTTL', key)
            if wait < 0 then redis.call('PEXPIRE', key, window); wait = window end
          end
          waits[i] = wait
        end
        return waits
        """;

    private readonly int _permits = options.Value.RateLimitPermits;
    private readonly long _windowMs = options.Value.RateLimitWindowSeconds * 1000L;

    public static RedisKey KeyFor(long userId) => "erp:rate:user:" + userId.ToString(CultureInfo.InvariantCulture);

    /// <summary>One attempt for each key (<see cref="KeyFor"/>); writes 0 (allowed) or the seconds to wait (at least 1) into <paramref name="waits"/>.</summary>
    public async Task TryAcquireAsync(RedisKey[] keys, int[] waits)
    {
        try
        {
            // StackExchange.Redis sends the script once and EVALSHA afterwards.
            var result = (RedisResult[]?)await redis.GetDatabase().ScriptEvaluateAsync(Script, keys, [_windowMs, _permits]) ?? [];
            for (var i = 0; i < keys.Length; i++)
            {
                var waitMs = i < result.Length ? (long)result[i] : 0;
                waits[i] = waitMs <= 0 ? 0 : (int)Math.Max(1, (waitMs + 999) / 1000);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogRedisUnavailable(logger, ex.Message);
            Array.Clear(waits, 0, keys.Length);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate limit not applied, Redis unavailable: {Reason}")]
    private static partial void LogRedisUnavailable(ILogger logger, string reason);
}
