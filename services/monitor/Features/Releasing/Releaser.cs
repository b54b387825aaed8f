using System.Globalization;
using System.Text.Json;
using ElasticRedPacket.Monitor.Telemetry;
using ElasticRedPacket.ServiceDefaults.Messaging;

namespace ElasticRedPacket.Monitor.Features.Releasing;

/// <summary>
/// Publishes due batches to their campaign's queue. Every tick, the replica that wins the advisory
/// lock releases what is due; the others skip the tick. A batch is marked released only after every
/// one of its packets is confirmed by the broker, so a crash (or a lost lock) in between re-publishes
/// the batch on the next tick (anyone's): at-least-once. Duplicates are harmless because a packet id
/// can be claimed only once (claims.packet_id is the primary key; redpacket acks and skips a duplicate).
/// The lock is checked before every chunk and the mark commits on the lock's own connection, so a
/// replica whose lock connection dropped stops within one chunk and cannot mark what another now releases.
/// All state is in PostgreSQL, so a restart loses nothing.
/// </summary>
public sealed partial class Releaser(
    ReleaseStore store,
    ReleaseLock releaseLock,
    ConfirmingPublisher publisher,
    MonitorMetrics metrics,
    IOptions<MonitorOptions> options,
    ILogger<Releaser> logger) : BackgroundService
{
    private const int ChunkSize = 10_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.ReleaseTickMilliseconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await TickAsync(stoppingToken);
                }
                catch (ReleaseLockLostException ex)
                {
                    LogLockLost(ex.Message);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogTickFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: a batch in progress was finished or stays unmarked for the next releaser.
        }
        finally
        {
            await releaseLock.DisposeAsync();
        }
    }

    internal async Task TickAsync(CancellationToken stoppingToken)
    {
        if (!await releaseLock.TryAcquireAsync(stoppingToken))
        {
            return;
        }
        try
        {
            List<DueBatch> due;
            while (!stoppingToken.IsCancellationRequested && (due = await store.DueAsync(50, stoppingToken)).Count > 0)
            {
                foreach (var batch in due)
                {
                    // A batch once started is finished even when stopping (drain time covers it), so a
                    // normal shutdown does not leave a half-published batch to be published again.
                    await ReleaseAsync(batch, CancellationToken.None);
                    if (stoppingToken.IsCancellationRequested)
                    {
                        return;
                    }
                }
            }
        }
        finally
        {
            await releaseLock.ReleaseAsync();
        }
    }

    private async Task ReleaseAsync(DueBatch batch, CancellationToken cancellationToken)
    {
        using var activity = metrics.StartRelease(batch.CampaignId, batch.BatchNo);
        var queue = Topology.PacketQueue(batch.CampaignId);
        await publisher.DeclareAsync(channel => Topology.DeclarePacketQueueAsync(channel, batch.CampaignId, cancellationToken), cancellationToken);
        var published = 0;
        var afterId = 0L;
        while (true)
        {
            var packets = await store.PacketsAsync(batch, afterId, ChunkSize, cancellationToken);
            if (packets.Count == 0)
            {
                break;
            }
            await releaseLock.EnsureHeldAsync(cancellationToken);
            await publisher.PublishManyAsync(
                packets,
                p => (string.Empty, queue,
                    JsonSerializer.SerializeToUtf8Bytes(new PacketMessage(p.Id, batch.CampaignId, p.AmountCents), MessagingJsonContext.Default.PacketMessage),
                    p.Id.ToString(CultureInfo.InvariantCulture)),
                options.Value.PublishInFlight,
                cancellationToken);
            published += packets.Count;
            afterId = packets[^1].Id;
            if (packets.Count < ChunkSize)
            {
                break;
            }
        }
        var marked = await releaseLock.WhileHeldAsync((connection, transaction) => ReleaseStore.MarkReleasedAsync(connection, transaction, batch, cancellationToken), cancellationToken);
        metrics.Released(published);
        LogReleased(batch.CampaignId, batch.BatchNo, published, marked);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Released campaign {CampaignId} batch {BatchNo}: {Published} packets confirmed (marked: {Marked})")]
    private partial void LogReleased(long campaignId, int batchNo, int published, bool marked);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Release lock lost ({Reason}); the batch in progress stays unmarked and is released again by the next lock holder")]
    private partial void LogLockLost(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Release tick failed; the batch stays due and is retried")]
    private partial void LogTickFailed(Exception exception);
}
