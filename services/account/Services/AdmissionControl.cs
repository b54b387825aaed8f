using System.Globalization;
using StackExchange.Redis;

namespace ElasticRedPacket.Account.Services;

/// <summary>
/// The admission ratio: under overload the operator sheds a share of verify calls (the "drop half the
/// requests" valve). The operator sets it through any replica; it lives in Redis and every replica
/// re-reads it every Account:AdmissionRefreshMilliseconds, so all replicas apply it within that bound.
/// </summary>
public sealed class AdmissionControl(IConnectionMultiplexer redis, IOptions<AccountOptions> options, ILogger<AdmissionControl> logger) : BackgroundService
{
    public static readonly RedisKey Key = "erp:admission:shed-ratio";
    private double _shedRatio;

    public double ShedRatio => Volatile.Read(ref _shedRatio);

    /// <summary>True when this request should be shed.</summary>
    public bool ShouldShed()
    {
        var ratio = ShedRatio;
        return ratio > 0 && (ratio >= 1 || Random.Shared.NextDouble() < ratio);
    }

    public async Task SetAsync(double ratio)
    {
        await redis.GetDatabase().StringSetAsync(Key, ratio.ToString("R", CultureInfo.InvariantCulture));
        Volatile.Write(ref _shedRatio, ratio);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.AdmissionRefreshMilliseconds));
        do
        {
            try
            {
                var value = await redis.GetDatabase().StringGetAsync(Key);
                var ratio = value.HasValue && double.TryParse((string?)value, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) ? Math.Clamp(r, 0, 1) : 0;
                Volatile.Write(ref _shedRatio, ratio);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Keep the last known ratio while Redis is away.
                logger.LogWarning("Admission ratio not refreshed: {Reason}", ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
