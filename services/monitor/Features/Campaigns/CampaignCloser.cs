using System.Text.Json;
using Dapper;
using ElasticRedPacket.Monitor.Features.Releasing;
using ElasticRedPacket.ServiceDefaults.Messaging;
using Npgsql;
using RabbitMQ.Client;

namespace ElasticRedPacket.Monitor.Features.Campaigns;

public enum CloseResult
{
    Closed,
    NotFound,
    Busy,
}

/// <summary>
/// Closes a campaign: no further batch is released, the packets still waiting in its queue are
/// taken out (basic.get + ack, after they are marked expired in the same order: mark, then ack) and
/// the never-released packets are marked expired too. Afterwards released = claimed + expired
/// (packets redpacket holds unacked at that moment are claimed or returned to the queue; closing
/// again drains those). Idempotent: closing twice drains again and changes nothing else.
/// </summary>
public sealed partial class CampaignCloser(NpgsqlDataSource dataSource, RabbitMqConnection connection, ILogger<CampaignCloser> logger)
{
    private const int ChunkSize = 500;
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan DrainBudget = TimeSpan.FromSeconds(20);

    public async Task<(CloseResult Result, long Drained)> CloseAsync(long campaignId, CancellationToken cancellationToken)
    {
        // Holding the releaser's lock: no batch of this campaign is half-way out while we close.
        await using (var releaseLock = new ReleaseLock(dataSource))
        {
            if (!await releaseLock.AcquireAsync(LockWait, cancellationToken))
            {
                return (CloseResult.Busy, 0);
            }
            try
            {
                await using var db = await dataSource.OpenConnectionAsync(cancellationToken);
                await using var transaction = await db.BeginTransactionAsync(cancellationToken);
                var found = await db.ExecuteAsync(new CommandDefinition(
                    "UPDATE campaigns SET status = 'closed', closed_at = COALESCE(closed_at, now()) WHERE id = @campaignId",
                    new { campaignId }, transaction, cancellationToken: cancellationToken));
                if (found == 0)
                {
                    return (CloseResult.NotFound, 0);
                }
                await db.ExecuteAsync(new CommandDefinition("""
                    UPDATE packets p SET expired_at = now()
                    FROM release_batches rb
                    WHERE p.campaign_id = @campaignId AND rb.campaign_id = p.campaign_id AND rb.batch_no = p.batch_no
                      AND rb.released_at IS NULL AND p.expired_at IS NULL
                    """, new { campaignId }, transaction, cancellationToken: cancellationToken));
                await transaction.CommitAsync(cancellationToken);
            }
            finally
            {
                await releaseLock.ReleaseAsync();
            }
        }
        var drained = await DrainAsync(campaignId, cancellationToken);
        LogClosed(campaignId, drained);
        return (CloseResult.Closed, drained);
    }

    private async Task<long> DrainAsync(long campaignId, CancellationToken cancellationToken)
    {
        var queue = Topology.PacketQueue(campaignId);
        var conn = await connection.GetAsync(cancellationToken);
        await using var channel = await conn.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: Topology.QuorumQueueArguments(), cancellationToken: cancellationToken);
        var deadline = DateTime.UtcNow + DrainBudget;
        var ids = new List<long>(ChunkSize);
        long drained = 0;
        while (DateTime.UtcNow < deadline)
        {
            ids.Clear();
            ulong lastTag = 0;
            while (ids.Count < ChunkSize && await channel.BasicGetAsync(queue, autoAck: false, cancellationToken) is { } message)
            {
                lastTag = message.DeliveryTag;
                if (TryParse(message.Body, out var packet) && packet.CampaignId == campaignId)
                {
                    ids.Add(packet.PacketId);
                }
            }
            if (lastTag == 0)
            {
                break;
            }
            await ExpireAsync(campaignId, ids, cancellationToken);
            await channel.BasicAckAsync(lastTag, multiple: true, cancellationToken);
            drained += ids.Count;
        }
        await channel.CloseAsync(cancellationToken);
        return drained;
    }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed campaign {CampaignId}: {Drained} packets drained from its queue and expired")]
    private partial void LogClosed(long campaignId, long drained);
}
