using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;

namespace ElasticRedPacket.RedPacket.Data;

/// <summary>
/// "Has this user already won this campaign (maybe through another replica)?" for grabs that found no
/// packet here. Those grabs come in herds (a batch just sold out, a spike outran the buffer), so the
/// questions that arrive while one query runs are asked together in the next: one round trip for the
/// herd instead of one per grab, and the claim writers keep their connections.
/// </summary>
public sealed partial class WinnerLookup(NpgsqlDataSource dataSource, IOptions<GrabOptions> options, ILogger<WinnerLookup> logger) : BackgroundService
{
    private const int MaxBatch = 1024;
    private const string Sql = "SELECT campaign_id, user_id, amount_cents FROM claims WHERE (campaign_id, user_id) IN (SELECT * FROM unnest(@c, @u))";
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

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
