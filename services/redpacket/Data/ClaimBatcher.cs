using System.Diagnostics;
using System.Threading.Channels;
using ElasticRedPacket.RedPacket.Telemetry;
using Npgsql;
using NpgsqlTypes;

namespace ElasticRedPacket.RedPacket.Data;

public enum ClaimResult
{
    /// <summary>The row is committed: the user won this packet.</summary>
    Won,

    /// <summary>The user already has a claim in this campaign (AmountCents = that claim); the packet is free for the next grab.</summary>
    AlreadyWon,

    /// <summary>The packet is already claimed (a duplicate delivery): ack it and take the next one. SameUser: the claim is this user's.</summary>
    PacketTaken,

    /// <summary>Nothing was committed for certain (database unreachable or too slow): the packet stays in the replica's buffer for the next grab.</summary>
    Failed,

    /// <summary>The message names a packet the ledger does not know in that campaign with that amount, or an expired one (poison or stale): it is dead-lettered, the next one serves.</summary>
    UnknownPacket,
}

public readonly record struct ClaimOutcome(ClaimResult Result, int AmountCents, bool SameUser = false);

/// <summary>
/// Group commit of claims: every claim that arrives while a batch is being written goes into the next
/// INSERT (up to Grab:ClaimBatchSize rows, Grab:ClaimWriters batches in flight), and a batch starts once
/// its oldest claim has waited Grab:ClaimGatherMilliseconds (one writer gathers at a time, so at moderate
/// load commits come at most once per gather, not once per claim or two). The INSERT takes only
/// rows whose packet exists in that campaign with that amount and is not expired (so a poison or stale
/// message claims nothing, without a foreign key's row lock per claim); unique(packet_id) and
/// unique(campaign_id, user_id) decide the race; RETURNING tells which rows won, and one more query
/// on the same connection explains the losers.
/// </summary>
public sealed partial class ClaimBatcher : BackgroundService
{
    private const string InsertSql = """
        INSERT INTO claims (packet_id, campaign_id, user_id, amount_cents)
        SELECT x.packet_id, x.campaign_id, x.user_id, x.amount_cents
        FROM unnest(@p, @c, @u, @a) AS x(packet_id, campaign_id, user_id, amount_cents)
        JOIN packets k ON k.id = x.packet_id AND k.campaign_id = x.campaign_id AND k.amount_cents = x.amount_cents AND k.expired_at IS NULL
        ON CONFLICT DO NOTHING
        RETURNING packet_id
        """;

    private const string ExplainSql = """
        SELECT packet_id, campaign_id, user_id, amount_cents FROM claims WHERE packet_id = ANY(@p)
        UNION
        SELECT k.packet_id, k.campaign_id, k.user_id, k.amount_cents
        FROM claims k JOIN unnest(@c, @u) AS x(campaign_id, user_id) ON k.campaign_id = x.campaign_id AND k.user_id = x.user_id
        """;

    private const string ClaimableSql = """
        SELECT x.packet_id
        FROM unnest(@p, @c, @a) AS x(packet_id, campaign_id, amount_cents)
        JOIN packets k ON k.id = x.packet_id AND k.campaign_id = x.campaign_id AND k.amount_cents = x.amount_cents AND k.expired_at IS NULL
        """;

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(100_000) { FullMode = BoundedChannelFullMode.Wait });
    private readonly SemaphoreSlim _gathering = new(1, 1);
    private readonly TimeSpan _gather;
    private readonly NpgsqlDataSource _dataSource;
    private readonly GrabOptions _options;
    private readonly GrabMetrics _metrics;
    private readonly ILogger<ClaimBatcher> _logger;

    public ClaimBatcher(NpgsqlDataSource dataSource, IOptions<GrabOptions> options, GrabMetrics metrics, ILogger<ClaimBatcher> logger)
    {
        _dataSource = dataSource;
        _options = options.Value;
        _gather = TimeSpan.FromMilliseconds(_options.ClaimGatherMilliseconds);
        _metrics = metrics;
        _logger = logger;
    }

    private sealed class Pending(long packetId, long campaignId, long userId, int amountCents)
        : TaskCompletionSource<ClaimOutcome>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public long PacketId { get; } = packetId;
        public long CampaignId { get; } = campaignId;
        public long UserId { get; } = userId;
        public int AmountCents { get; } = amountCents;
        public long QueuedAt { get; } = Stopwatch.GetTimestamp();
    }

    public async Task<ClaimOutcome> ClaimAsync(long packetId, long campaignId, long userId, int amountCents, CancellationToken cancellationToken)
    {
        var pending = new Pending(packetId, campaignId, userId, amountCents);
        if (!_queue.Writer.TryWrite(pending))
        {
            try
            {
                await _queue.Writer.WriteAsync(pending, cancellationToken);
            }
            catch (ChannelClosedException)
            {
                return new ClaimOutcome(ClaimResult.Failed, 0); // shutting down: the stopped consumer gives the packet back
            }
        }
        // Not cancelled by the caller: once queued, the answer must follow the commit.
        return await pending.Task;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, _options.ClaimWriters).Select(_ => WriteLoopAsync()));

    /// <summary>Shutdown: no new claims; the loops finish what is queued, then end.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (ExecuteTask is { } running)
        {
            await running.WaitAsync(cancellationToken);
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(_options.ClaimBatchSize);
        while (await _queue.Reader.WaitToReadAsync())
        {
            await TakeBatchAsync(batch);
            if (batch.Count == 0)
            {
                continue;
            }
            using var activity = _metrics.StartClaimBatch(batch.Count);
            try
            {
                await WriteAsync(batch);
            }
            catch (Exception ex)
            {
                activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                LogBatchFailed(_logger, batch.Count, ex);
                foreach (var pending in batch)
                {
                    pending.TrySetResult(new ClaimOutcome(ClaimResult.Failed, 0));
                }
            }
            batch.Clear();
        }
    }

    /// <summary>The next batch, once its oldest claim has waited the gather time; the other writers wait meanwhile.</summary>
    private async Task TakeBatchAsync(List<Pending> batch)
    {
        await _gathering.WaitAsync();
        try
        {
            if (_queue.Reader.TryPeek(out var oldest) && Gather.Left(_gather, oldest.QueuedAt) is { Ticks: > 0 } left)
            {
                await Task.Delay(left);
            }
            while (batch.Count < _options.ClaimBatchSize && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }
        }
        finally
        {
            _gathering.Release();
        }
    }

    private async Task WriteAsync(List<Pending> batch)
    {
        var n = batch.Count;
        var packets = new long[n];
        var campaigns = new long[n];
        var users = new long[n];
        var amounts = new int[n];
        for (var i = 0; i < n; i++)
        {
            packets[i] = batch[i].PacketId;
            campaigns[i] = batch[i].CampaignId;
            users[i] = batch[i].UserId;
            amounts[i] = batch[i].AmountCents;
        }

        await using var connection = await _dataSource.OpenConnectionAsync();
        var won = new HashSet<long>();
        await using (var insert = new NpgsqlCommand(InsertSql, connection) { CommandTimeout = _options.ClaimCommandTimeoutSeconds })
        {
            insert.Parameters.Add(Bigints("p", packets));
            insert.Parameters.Add(Bigints("c", campaigns));
            insert.Parameters.Add(Bigints("u", users));
            insert.Parameters.Add(Integers("a", amounts));
            await using var reader = await insert.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                won.Add(reader.GetInt64(0));
            }
        }

        // The insert is committed (autocommit): winners hear it now, before the losers are explained.
        var losers = new List<Pending>();
        foreach (var pending in batch)
        {
            if (won.Remove(pending.PacketId))
            {
                pending.TrySetResult(new ClaimOutcome(ClaimResult.Won, pending.AmountCents));
            }
            else
            {
                losers.Add(pending);
            }
        }
        if (losers.Count > 0)
        {
            await ExplainAsync(connection, losers);
        }
    }

    private async Task ExplainAsync(NpgsqlConnection connection, List<Pending> losers)
    {
        var byPacket = new Dictionary<long, (long UserId, int Amount)>();
        var byUser = new Dictionary<(long, long), int>();
        await using (var explain = new NpgsqlCommand(ExplainSql, connection) { CommandTimeout = _options.ClaimCommandTimeoutSeconds })
        {
            explain.Parameters.Add(Bigints("p", losers.Select(l => l.PacketId).ToArray()));
            explain.Parameters.Add(Bigints("c", losers.Select(l => l.CampaignId).ToArray()));
            explain.Parameters.Add(Bigints("u", losers.Select(l => l.UserId).ToArray()));
            await using var reader = await explain.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var packetId = reader.GetInt64(0);
                var campaignId = reader.GetInt64(1);
                var userId = reader.GetInt64(2);
                var amount = reader.GetInt32(3);
                byPacket[packetId] = (userId, amount);
                byUser[(campaignId, userId)] = amount;
            }
        }
        var unexplained = new List<Pending>();
        foreach (var loser in losers)
        {
            if (byPacket.TryGetValue(loser.PacketId, out var owner))
            {
                loser.TrySetResult(new ClaimOutcome(ClaimResult.PacketTaken, owner.Amount, owner.UserId == loser.UserId));
            }
            else if (byUser.TryGetValue((loser.CampaignId, loser.UserId), out var amount))
            {
                loser.TrySetResult(new ClaimOutcome(ClaimResult.AlreadyWon, amount));
            }
            else
            {
                unexplained.Add(loser);
            }
        }
        if (unexplained.Count > 0)
        {
            await RefuseUnclaimableAsync(connection, unexplained);
        }
    }

    /// <summary>
    /// Losers no constraint explains: a packet the ledger does not know in that campaign with that
    /// amount, or one a close expired, is refused (UnknownPacket: dead-lettered). A claimable one
    /// cannot lose without a conflict under read committed; it stays buffered, nothing said won.
    /// </summary>
    private async Task RefuseUnclaimableAsync(NpgsqlConnection connection, List<Pending> unexplained)
    {
        var claimable = new HashSet<long>();
        await using (var query = new NpgsqlCommand(ClaimableSql, connection) { CommandTimeout = _options.ClaimCommandTimeoutSeconds })
        {
            query.Parameters.Add(Bigints("p", unexplained.Select(l => l.PacketId).ToArray()));
            query.Parameters.Add(Bigints("c", unexplained.Select(l => l.CampaignId).ToArray()));
            query.Parameters.Add(Integers("a", unexplained.Select(l => l.AmountCents).ToArray()));
            await using var reader = await query.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                claimable.Add(reader.GetInt64(0));
            }
        }
        foreach (var loser in unexplained)
        {
            if (claimable.Contains(loser.PacketId))
            {
                loser.TrySetResult(new ClaimOutcome(ClaimResult.Failed, 0));
            }
            else
            {
                LogUnknownPacket(_logger, loser.PacketId, loser.CampaignId);
                loser.TrySetResult(new ClaimOutcome(ClaimResult.UnknownPacket, 0));
            }
        }
    }

    private static NpgsqlParameter<long[]> Bigints(string name, long[] values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = values };

    private static NpgsqlParameter<int[]> Integers(string name, int[] values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = values };

    [LoggerMessage(Level = LogLevel.Error, Message = "Packet message names packet {PacketId} (campaign {CampaignId}) that the ledger does not know in that campaign with that amount, or that a close expired; refused")]
    private static partial void LogUnknownPacket(ILogger logger, long packetId, long campaignId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Claim batch of {Count} failed; nothing said won, the packets stay buffered for the next grabs")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);
}
