using System.Collections.Concurrent;
using System.Threading.Channels;
using ElasticRedPacket.Account.Data;

namespace ElasticRedPacket.Account.Services;

/// <summary>
/// Whether a user exists and is active, cached in process for Account:UserCacheSeconds so the steady
/// state costs no database round trip. Misses are loaded in batches (one query for every miss that
/// arrives while the previous query runs), so a crowd of first-time users costs few round trips.
/// </summary>
public sealed class UserStatusCache : BackgroundService
{
    private const int MaxBatch = 1024;
    private readonly ConcurrentDictionary<long, Entry> _entries = new();
    private readonly Channel<Miss> _misses = Channel.CreateBounded<Miss>(new BoundedChannelOptions(65_536) { SingleReader = true });
    private readonly UserStore _store;
    private readonly TimeProvider _time;
    private readonly long _ttlTicks;
    private readonly ILogger<UserStatusCache> _logger;

    public UserStatusCache(UserStore store, TimeProvider time, IOptions<AccountOptions> options, ILogger<UserStatusCache> logger)
    {
        _store = store;
        _time = time;
        _ttlTicks = TimeSpan.FromSeconds(options.Value.UserCacheSeconds).Ticks;
        _logger = logger;
    }

    private readonly record struct Entry(bool Active, long ExpiresTicks);

    private sealed record Miss(long UserId, TaskCompletionSource<bool> Result);

    /// <summary>True when the user exists and is active.</summary>
    public ValueTask<bool> IsActiveAsync(long userId, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(userId, out var entry) && entry.ExpiresTicks > _time.GetUtcNow().UtcTicks)
        {
            return ValueTask.FromResult(entry.Active);
        }
        return LoadAsync(userId, cancellationToken);
    }

    /// <summary>The replica that changed a status applies it at once; the others within the TTL.</summary>
    public void Set(long userId, bool active) => _entries[userId] = new Entry(active, _time.GetUtcNow().UtcTicks + _ttlTicks);

    private async ValueTask<bool> LoadAsync(long userId, CancellationToken cancellationToken)
    {
        var miss = new Miss(userId, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _misses.Writer.WriteAsync(miss, cancellationToken);
        return await miss.Result.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Miss>(MaxBatch);
        var sweepAt = _time.GetUtcNow().UtcTicks + TimeSpan.FromMinutes(1).Ticks;
        while (await _misses.Reader.WaitToReadAsync(stoppingToken))
        {
            while (batch.Count < MaxBatch && _misses.Reader.TryRead(out var miss))
            {
                batch.Add(miss);
            }
            try
            {
                var active = await _store.ActiveByIdAsync(batch.Select(m => m.UserId).Distinct().ToArray(), stoppingToken);
                foreach (var miss in batch)
                {
                    var isActive = active.TryGetValue(miss.UserId, out var a) && a;
                    Set(miss.UserId, isActive);
                    miss.Result.TrySetResult(isActive);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.LogWarning(ex, "Loading {Count} user statuses failed", batch.Count);
                foreach (var miss in batch)
                {
                    miss.Result.TrySetException(ex);
                }
            }
            batch.Clear();

            var now = _time.GetUtcNow().UtcTicks;
            if (now > sweepAt)
            {
                foreach (var (id, entry) in _entries)
                {
                    if (entry.ExpiresTicks < now)
                    {
                        _entries.TryRemove(id, out _);
                    }
                }
                sweepAt = now + TimeSpan.FromMinutes(1).Ticks;
            }
        }
    }
}
