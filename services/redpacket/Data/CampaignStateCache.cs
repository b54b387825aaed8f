using System.Collections.Concurrent;
using Dapper;
using Npgsql;

namespace ElasticRedPacket.RedPacket.Data;

/// <summary>What a grab needs to answer honestly about a campaign, read from PostgreSQL.</summary>
public sealed record CampaignState(
    bool Exists,
    DateTimeOffset StartsAt,
    string Status,
    int Batches,
    int ReleasedBatches,
    long ReleasedPackets,
    DateTimeOffset? NextReleaseAt,
    long Claimed,
    long LargestBatch = 0)
{
    public const string Closed = "closed";

    public static readonly CampaignState Missing = new(false, default, "", 0, 0, 0, null, 0);

    /// <summary>No batch is left to release (or the campaign is closed).</summary>
    public bool AllReleased => Status == Closed || (Batches > 0 && ReleasedBatches == Batches);

    /// <summary>
    /// Terminal: every batch is out and every released packet is claimed. A stale read can only
    /// under-count claims or releases, so it can delay sold_out but never say it falsely.
    /// </summary>
    public bool SoldOut => Status == Closed || (AllReleased && Claimed >= ReleasedPackets);

    /// <summary>
    /// Every packet of every batch is claimed, so no claim can be added: the ledger's winners are final.
    /// (A closed campaign is sold out too, but a claim in flight at the close may still commit.)
    /// </summary>
    public bool LedgerFinal => Batches > 0 && ReleasedBatches == Batches && Claimed >= ReleasedPackets;
}

/// <summary>
/// Campaign state per campaign, re-read at most every Grab:CampaignCacheMilliseconds by one caller
/// (the others use the previous value meanwhile), so a crowd of grabs costs one query per interval.
/// The claimed count comes from claim_counts (kept by triggers in each claim's transaction: a sum over
/// a few rows, not a count over the ledger), so every read carries it. A stale read can only
/// under-count: it delays sold_out, never says it falsely.
/// </summary>
public sealed class CampaignStateCache(NpgsqlDataSource dataSource, TimeProvider time, IOptions<GrabOptions> options)
{
    private readonly ConcurrentDictionary<long, Entry> _entries = new();
    private readonly long _ttlTicks = TimeSpan.FromMilliseconds(options.Value.CampaignCacheMilliseconds).Ticks;

    private sealed class Entry
    {
        public CampaignState? State;
        public long FetchedTicks;
        public Task<CampaignState>? Refresh;
    }

    public ValueTask<CampaignState> GetAsync(long campaignId, CancellationToken cancellationToken)
    {
        var entry = _entries.GetOrAdd(campaignId, static _ => new Entry());
        var now = time.GetUtcNow().UtcTicks;
        var state = Volatile.Read(ref entry.State);
        if (state is not null && now - Volatile.Read(ref entry.FetchedTicks) < _ttlTicks)
        {
            return ValueTask.FromResult(state);
        }
        // A state more than two intervals old (a campaign this replica has not served lately) is not worth answering from.
        return RefreshAsync(campaignId, entry, now - Volatile.Read(ref entry.FetchedTicks) < 2 * _ttlTicks ? state : null, cancellationToken);
    }

    /// <summary>
    /// The state read at most <paramref name="maxAge"/> ago (a grab found no packet: is it sold out?), or the
    /// cached one once it is sold out. Grabs asking while a read runs share it.
    /// </summary>
    public ValueTask<CampaignState> GetFreshAsync(long campaignId, TimeSpan maxAge, CancellationToken cancellationToken)
    {
        var entry = _entries.GetOrAdd(campaignId, static _ => new Entry());
        var state = Volatile.Read(ref entry.State);
        if (state is not null && (state.SoldOut || time.GetUtcNow().UtcTicks - Volatile.Read(ref entry.FetchedTicks) < maxAge.Ticks))
        {
            return GetAsync(campaignId, cancellationToken);
        }
        return RefreshAsync(campaignId, entry, previous: null, cancellationToken);
    }

    /// <summary>Forgets the cached state so the next grab reads it fresh.</summary>
    public void Invalidate(long campaignId)
    {
        if (_entries.TryGetValue(campaignId, out var entry))
        {
            Volatile.Write(ref entry.FetchedTicks, 0);
        }
    }

    private async ValueTask<CampaignState> RefreshAsync(long campaignId, Entry entry, CampaignState? previous, CancellationToken cancellationToken)
    {
        TaskCompletionSource<CampaignState>? mine = null;
        Task<CampaignState> refresh;
        lock (entry)
        {
            if (entry.Refresh is null)
            {
                mine = new TaskCompletionSource<CampaignState>(TaskCreationOptions.RunContinuationsAsynchronously);
                entry.Refresh = mine.Task;
            }
            refresh = entry.Refresh;
        }
        if (mine is not null)
        {
            _ = LoadIntoAsync(campaignId, entry, mine);
        }
        // While one caller reads, the others answer from the previous state (it is at most a few hundred ms old).
        if (previous is { Exists: true } && !refresh.IsCompleted)
        {
            return previous;
        }
        return await refresh.WaitAsync(cancellationToken);
    }

    // The refresh task is a TaskCompletionSource's, cleared only by the load that owns it, so a load that
    // completes synchronously cannot leave a finished task behind as "the refresh in flight".
    private async Task LoadIntoAsync(long campaignId, Entry entry, TaskCompletionSource<CampaignState> mine)
    {
        try
        {
            var started = time.GetUtcNow().UtcTicks; // the read's age counts from its start: claims may commit while it runs
            var state = await LoadAsync(campaignId);
            Volatile.Write(ref entry.State, state);
            Volatile.Write(ref entry.FetchedTicks, started);
            Clear(entry, mine);
            mine.SetResult(state);
        }
        catch (Exception ex)
        {
            Clear(entry, mine);
            mine.SetException(ex);
            _ = mine.Task.Exception; // observed: the callers that waited got it
        }
    }

    private static void Clear(Entry entry, TaskCompletionSource<CampaignState> mine)
    {
        lock (entry)
        {
            if (entry.Refresh == mine.Task)
            {
                entry.Refresh = null;
            }
        }
    }

    private async Task<CampaignState> LoadAsync(long campaignId)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var row = await connection.QuerySingleOrDefaultAsync<Row>("""
            SELECT c.starts_at AS StartsAt, c.status AS Status,
                   count(b.batch_no)::int AS Batches,
                   count(b.released_at)::int AS ReleasedBatches,
                   coalesce(sum(b.packet_count) FILTER (WHERE b.released_at IS NOT NULL), 0)::bigint AS ReleasedPackets,
                   min(b.due_at) FILTER (WHERE b.released_at IS NULL) AS NextReleaseAt,
                   coalesce(max(b.packet_count), 0)::bigint AS LargestBatch,
                   (SELECT coalesce(sum(k.claimed), 0) FROM claim_counts k WHERE k.campaign_id = c.id)::bigint AS Claimed
            FROM campaigns c LEFT JOIN release_batches b ON b.campaign_id = c.id
            WHERE c.id = @campaignId
            GROUP BY c.id
            """, new { campaignId });
        return row is null
            ? CampaignState.Missing
            : new CampaignState(true, AsUtc(row.StartsAt), row.Status, row.Batches, row.ReleasedBatches, row.ReleasedPackets,
                row.NextReleaseAt is { } next ? AsUtc(next) : null, row.Claimed, row.LargestBatch);
    }

    private static DateTimeOffset AsUtc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private sealed class Row
    {
        public DateTime StartsAt { get; set; }
        public string Status { get; set; } = "";
        public int Batches { get; set; }
        public int ReleasedBatches { get; set; }
        public long ReleasedPackets { get; set; }
        public DateTime? NextReleaseAt { get; set; }
        public long Claimed { get; set; }

        public long LargestBatch { get; set; }
    }
}
