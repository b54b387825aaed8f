using System.Text.Json;
using Dapper;
using ElasticRedPacket.Monitor.Data;
using ElasticRedPacket.Monitor.Features.Releasing;
using ElasticRedPacket.ServiceDefaults.Messaging;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ElasticRedPacket.Monitor.Features.Campaigns;

public enum CloseResult
{
    /// <summary>Closed and balanced: released = claimed + expired, nothing left in the queue.</summary>
    Closed,
    /// <summary>Closed, but packets were still held unacked when the drain budget ran out; closing again finishes.</summary>
    Unsettled,
    NotFound,
    Busy,
}

/// <summary>Drained: packets this call took out of the queue and expired. Unsettled: released packets neither claimed nor expired.</summary>
public readonly record struct CloseOutcome(CloseResult Result, long Drained, long Unsettled);

/// <summary>
/// Closes a campaign: no further batch is released, the never-released packets are marked expired,
/// and the packets still in its queue are taken out (consumed with a prefetch; each chunk is marked
/// expired before it is acked). Packets a redpacket replica holds unacked come back to the queue when
/// it sees the campaign closed and stops its consumer (within about a second), so the drain keeps
/// going until released = claimed + expired, the queue has no ready message and no other consumer, or
/// Monitor:CloseDrainSeconds pass. Idempotent: closing again drains again and changes nothing else.
/// </summary>
public sealed partial class CampaignCloser(
    NpgsqlDataSource dataSource,
    LockConnectionSource lockConnections,
    CampaignStore store,
    RabbitMqConnection connection,
    IOptions<MonitorOptions> options,
    ILogger<CampaignCloser> logger)
{
    private const int ChunkSize = 2000;
    private const ushort Prefetch = 2000;
    private static readonly TimeSpan IdleWait = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(15);

    public async Task<CloseOutcome> CloseAsync(long campaignId, CancellationToken cancellationToken)
    {
        // Holding the releaser's lock: no batch of this campaign is half-way out while we close.
        await using (var releaseLock = new ReleaseLock(lockConnections))
        {
            if (!await releaseLock.AcquireAsync(LockWait, cancellationToken))
            {
                return new CloseOutcome(CloseResult.Busy, 0, 0);
            }
            try
            {
                var found = await releaseLock.WhileHeldAsync((db, transaction) => MarkClosedAsync(db, transaction, campaignId, cancellationToken), cancellationToken);
                if (!found)
                {
                    return new CloseOutcome(CloseResult.NotFound, 0, 0);
                }
            }
            finally
            {
                await releaseLock.ReleaseAsync();
            }
        }
        var (drained, unsettled) = await DrainAsync(campaignId, cancellationToken);
        LogClosed(campaignId, drained, unsettled);
        return new CloseOutcome(unsettled == 0 ? CloseResult.Closed : CloseResult.Unsettled, drained, unsettled);
    }

    private static async Task<bool> MarkClosedAsync(NpgsqlConnection db, NpgsqlTransaction transaction, long campaignId, CancellationToken cancellationToken)
    {
        var found = await db.ExecuteAsync(new CommandDefinition(
            "UPDATE campaigns SET status = 'closed', closed_at = COALESCE(closed_at, now()) WHERE id = @campaignId",
            new { campaignId }, transaction, cancellationToken: cancellationToken));
        if (found == 0)
        {
            return false;
        }
        await db.ExecuteAsync(new CommandDefinition("""
            UPDATE packets p SET expired_at = now()
            FROM release_batches rb
            WHERE p.campaign_id = @campaignId AND rb.campaign_id = p.campaign_id AND rb.batch_no = p.batch_no
              AND rb.released_at IS NULL AND p.expired_at IS NULL
            """, new { campaignId }, transaction, cancellationToken: cancellationToken));
        return true;
    }

    /// <summary>
    /// Takes the ready messages with a consumer (prefetch, ten times faster than basic.get): each
    /// chunk is marked expired, then acked up to its last delivery tag. When nothing arrives for a
    /// moment it checks whether the close is done (balanced, no ready message, no other consumer
    /// that could still hold packets); otherwise it waits for redpacket to give its buffers back.
    /// </summary>
    private async Task<(long Drained, long Unsettled)> DrainAsync(long campaignId, CancellationToken cancellationToken)
    {
        var queue = Topology.PacketQueue(campaignId);
        var conn = await connection.GetAsync(cancellationToken);
        await using var channel = await conn.CreateChannelAsync(cancellationToken: cancellationToken);
        await Topology.DeclarePacketQueueAsync(channel, campaignId, cancellationToken);
        await channel.BasicQosAsync(0, Prefetch, false, cancellationToken);
        var deliveries = System.Threading.Channels.Channel.CreateUnbounded<(ulong Tag, long PacketId)>(new() { SingleReader = true, SingleWriter = true });
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            // A stray message that is not one of this campaign's packets is drained all the same.
            var id = TryParse(delivery.Body, out var packet) && packet.CampaignId == campaignId ? packet.PacketId : 0;
            deliveries.Writer.TryWrite((delivery.DeliveryTag, id));
            return Task.CompletedTask;
        };
        var consumerTag = await channel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(options.Value.CloseDrainSeconds);
        var ids = new List<long>(ChunkSize);
        long drained = 0;
        while (true)
        {
            ids.Clear();
            ulong lastTag = 0;
            using (var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                idle.CancelAfter(IdleWait);
                try
                {
                    while (ids.Count < ChunkSize && await deliveries.Reader.WaitToReadAsync(idle.Token))
                    {
                        while (ids.Count < ChunkSize && deliveries.Reader.TryRead(out var delivery))
                        {
                            lastTag = delivery.Tag;
                            if (delivery.PacketId > 0)
                            {
                                ids.Add(delivery.PacketId);
                            }
                        }
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Nothing arrived for IdleWait: the chunk is what we have.
                }
            }
            if (lastTag != 0)
            {
                await ExpireAsync(campaignId, ids, cancellationToken);
                await channel.BasicAckAsync(lastTag, multiple: true, cancellationToken);
                drained += ids.Count;
            }
            else if (await UnsettledAsync(campaignId, cancellationToken) == 0)
            {
                var state = await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
                if (state.MessageCount == 0 && state.ConsumerCount <= 1)
                {
                    break; // balanced, and only our own consumer is attached: nothing can come back
                }
            }
            if (DateTime.UtcNow >= deadline)
            {
                break;
            }
        }
        await channel.BasicCancelAsync(consumerTag, cancellationToken: cancellationToken);
        // Deliveries not yet acked go back to the queue when the channel closes (drained by the next close).
        await channel.CloseAsync(cancellationToken);
        return (drained, await UnsettledAsync(campaignId, cancellationToken));
    }

    /// <summary>Released packets neither claimed nor expired, by the same figures GET /api/campaigns/{id} shows.</summary>
    private async Task<long> UnsettledAsync(long campaignId, CancellationToken cancellationToken) =>
        (await store.ListAsync(campaignId, 1, cancellationToken)).Single().Unsettled;

    private static bool TryParse(ReadOnlyMemory<byte> body, out PacketMessage packet)
    {
        try
        {
            packet = JsonSerializer.Deserialize(body.Span, MessagingJsonContext.Default.PacketMessage)!;
            return packet is not null;
        }
        catch (JsonException)
        {
            // A stray message in a closed campaign's queue: drained (acked) all the same.
            packet = null!;
            return false;
        }
    }

    /// <summary>A drained packet becomes expired unless a claim holds it (a redelivered duplicate).</summary>
    private async Task ExpireAsync(long campaignId, List<long> ids, CancellationToken cancellationToken)
    {
        await using var db = await dataSource.OpenConnectionAsync(cancellationToken);
        await db.ExecuteAsync(new CommandDefinition("""
            UPDATE packets SET expired_at = now()
            WHERE campaign_id = @campaignId AND id = ANY(@ids) AND expired_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.packet_id = packets.id)
            """, new { campaignId, ids = ids.ToArray() }, cancellationToken: cancellationToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed campaign {CampaignId}: {Drained} packets drained from its queue and expired; {Unsettled} released packets neither claimed nor expired yet")]
    private partial void LogClosed(long campaignId, long drained, long unsettled);
}
