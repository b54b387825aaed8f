using ElasticRedPacket.Account.Data;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ElasticRedPacket.Account.Services;

/// <summary>
/// The blocked users, held whole in memory and re-read every Account:UserCacheSeconds, so verifying a
/// grab costs no database round trip, not even for a user's first grab. Why this is enough: tokens are
/// signed only at login for an existing user and users are never deleted, so a valid token proves the
/// user exists; what can change is the block, and blocked users are few (one indexed query reads them
/// all). The replica that takes a block applies it at once, the others within the refresh interval.
/// Until the first read succeeds nobody is verified and the replica is not ready (fail closed); if a
/// later read fails, the last list stays.
/// </summary>
public sealed partial class BlockedUsers(UserStore store, IOptions<AccountOptions> options, ILogger<BlockedUsers> logger) : BackgroundService, IHealthCheck
{
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HashSet<long> _blocked = [];
    private int _version;

    public bool IsLoaded => _loaded.Task.IsCompleted;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(IsLoaded ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("the blocked users have not been read yet"));

    /// <summary>True when the user is blocked; throws <see cref="BlockListUnavailableException"/> before the first read.</summary>
    public bool IsBlocked(long userId) =>
        IsLoaded ? Volatile.Read(ref _blocked).Contains(userId) : throw new BlockListUnavailableException();

    /// <summary>This replica applies a block or unblock it just committed at once (copy on write: blocks are rare, reads are not).</summary>
    public void Set(long userId, bool blocked)
    {
        lock (_gate)
        {
            var next = new HashSet<long>(_blocked);
            if (blocked)
            {
                next.Add(userId);
            }
            else
            {
                next.Remove(userId);
            }
            Volatile.Write(ref _blocked, next);
            _version++;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var refresh = TimeSpan.FromSeconds(options.Value.UserCacheSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            int version;
            lock (_gate)
            {
                version = _version;
            }
            try
            {
                var ids = await store.BlockedIdsAsync(stoppingToken);
                lock (_gate)
                {
                    // A block taken here while the query ran may be missing from its result: keep ours, read again next time.
                    if (version == _version)
                    {
                        Volatile.Write(ref _blocked, ids.ToHashSet());
                        _loaded.TrySetResult();
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRefreshFailed(logger, IsLoaded ? "the last list stays in force" : "verification is refused until it loads", ex.Message);
            }
            await Task.Delay(IsLoaded ? refresh : TimeSpan.FromMilliseconds(250), stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the blocked users failed ({Consequence}): {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string consequence, string reason);
}

public sealed class BlockListUnavailableException() : Exception("The blocked-user list has not been read yet.");
