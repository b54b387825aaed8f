using System.Collections.Concurrent;
using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;

namespace ElasticRedPacket.RedPacket.Data;

/// <summary>
/// "Has this user already won this campaign (maybe through another replica)?" for grabs that found no
/// packet here. Those grabs come in herds (a batch just sold out, a spike outran the buffer), so the
/// questions that arrive while one query runs are asked together in the next: one round trip for the
/// herd instead of one per grab, and the claim writers keep their connections.
/// Once a campaign's ledger is final (every packet of every batch claimed: no claim can be added), its winners are read
/// once into memory (<see cref="FindFinalAmountAsync"/>, up to Grab:FinalWinnersInMemory rows over all
/// campaigns): the sold_out storm that follows a sell-out then costs the ledger nothing.
/// </summary>
public sealed partial class WinnerLookup(NpgsqlDataSource dataSource, IOptions<GrabOptions> options, ILogger<WinnerLookup> logger) : BackgroundService
{
    private const int MaxBatch = 1024;
    private const string Sql = "SELECT campaign_id, user_id, amount_cents FROM claims WHERE (campaign_id, user_id) IN (SELECT * FROM unnest(@c, @u))";
    private const string FinalSql = "SELECT user_id, amount_cents FROM claims WHERE campaign_id = @c";
    private static readonly Task<int?> NotWon = Task.FromResult<int?>(null);
    private static readonly TimeSpan FinalRetryPause = TimeSpan.FromSeconds(5);
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<long, FinalWinners> _final = new();
    private readonly TimeSpan _finalIdle = TimeSpan.FromSeconds(options.Value.IdleConsumerSeconds);

    /// <summary>A final campaign's winners (user id -> amount), loading or loaded; read-only once loaded.</summary>
    private sealed class FinalWinners(long rows)
    {
        public long Rows { get; } = rows;
        public Task<Dictionary<long, int>>? Load { get; set; }
        public long LastUsed = Environment.TickCount64;
    }

    private sealed class Pending(long campaignId, long userId) : TaskCompletionSource<int?>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public long CampaignId { get; } = campaignId;
        public long UserId { get; } = userId;
    }

    /// <summary>The amount the user won in the campaign, or null when the ledger has no claim of theirs.</summary>
    public Task<int?> FindAmountAsync(long campaignId, long userId)
    {
        var pending = new Pending(campaignId, userId);
        if (!_queue.Writer.TryWrite(pending))
        {
            pending.TrySetException(new TimeoutException("shutting down"));
        }
        return pending.Task;
    }

    /// <summary>
    /// The same answer for a campaign whose ledger is final and holds <paramref name="claims"/> rows: from
    /// memory once its winners are loaded (loading starts on the first call), from the batched query until then.
    /// </summary>
    public Task<int?> FindFinalAmountAsync(long campaignId, long userId, long claims)
    {
        if (!_final.TryGetValue(campaignId, out var winners) || winners.Load is { IsFaulted: true })
        {
            winners = TryStartLoad(campaignId, claims);
        }
        if (winners?.Load is { IsCompletedSuccessfully: true } loaded)
        {
            Volatile.Write(ref winners.LastUsed, Environment.TickCount64);
            return loaded.Result.TryGetValue(userId, out var amount) ? Task.FromResult<int?>(amount) : NotWon;
        }
        return FindAmountAsync(campaignId, userId);
    }

    private FinalWinners? TryStartLoad(long campaignId, long claims)
    {
        lock (_final)
        {
            if (_final.TryGetValue(campaignId, out var existing) && existing.Load is not { IsFaulted: true })
            {
                return existing;
            }
            var idleSince = Environment.TickCount64 - (long)_finalIdle.TotalMilliseconds;
            foreach (var (id, idle) in _final)
            {
                if (Volatile.Read(ref idle.LastUsed) < idleSince || idle.Load is { IsFaulted: true })
                {
                    _ = idle.Load?.Exception; // observed: the failure was logged
                    _final.TryRemove(id, out _);
                }
            }
            if (_final.Values.Sum(w => w.Rows) + claims > options.Value.FinalWinnersInMemory)
            {
                return null; // over the memory budget: the batched query serves this campaign
            }
            var winners = new FinalWinners(claims);
            _final[campaignId] = winners;
            winners.Load = LoadFinalAsync(campaignId, (int)claims);
            return winners;
        }
    }

    private async Task<Dictionary<long, int>> LoadFinalAsync(long campaignId, int claims)
    {
        await Task.Yield(); // off the grab that asked
        try
        {
            var winners = new Dictionary<long, int>(claims);
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var query = new NpgsqlCommand(FinalSql, connection) { CommandTimeout = options.Value.ClaimCommandTimeoutSeconds * 6 };
            query.Parameters.Add(new NpgsqlParameter<long>("c", NpgsqlDbType.Bigint) { TypedValue = campaignId });
            await using var reader = await query.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                winners[reader.GetInt64(0)] = reader.GetInt32(1);
            }
            return winners;
        }
        catch (Exception ex)
        {
            // The batched query serves meanwhile; the load is tried again on a grab after the pause, not on every grab.
            LogLookupFailed(logger, claims, ex.Message);
            await Task.Delay(FinalRetryPause);
            throw;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>();
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }
            try
            {
                await LookUpAsync(batch);
            }
            catch (Exception ex)
            {
                LogLookupFailed(logger, batch.Count, ex.Message);
                foreach (var pending in batch)
                {
                    pending.TrySetException(ex);
                }
            }
            batch.Clear();
        }
    }

    private async Task LookUpAsync(List<Pending> batch)
    {
        var won = new Dictionary<(long, long), int>();
        await using (var connection = await dataSource.OpenConnectionAsync())
        await using (var query = new NpgsqlCommand(Sql, connection) { CommandTimeout = options.Value.ClaimCommandTimeoutSeconds })
        {
            query.Parameters.Add(new NpgsqlParameter<long[]>("c", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = batch.Select(p => p.CampaignId).ToArray() });
            query.Parameters.Add(new NpgsqlParameter<long[]>("u", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = batch.Select(p => p.UserId).ToArray() });
            await using var reader = await query.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                won[(reader.GetInt64(0), reader.GetInt64(1))] = reader.GetInt32(2);
            }
        }
        foreach (var pending in batch)
        {
            pending.TrySetResult(won.TryGetValue((pending.CampaignId, pending.UserId), out var amount) ? amount : null);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking up {Count} earlier wins failed: {Reason}")]
    private static partial void LogLookupFailed(ILogger logger, int count, string reason);
}
