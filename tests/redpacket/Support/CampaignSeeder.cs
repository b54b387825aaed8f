using Dapper;
using ElasticRedPacket.ServiceDefaults.Messaging;
using Npgsql;
using RabbitMQ.Client;

namespace ElasticRedPacket.TestSupport;

public sealed record SeededCampaign(long Id, long TotalCents, IReadOnlyList<PacketMessage> Packets, IReadOnlyList<int> BatchOf);

/// <summary>
/// Creates campaigns the way monitor does (rows in campaigns/packets/release_batches, packets of a
/// released batch published persistent with confirms to the campaign's quorum queue), so the grab
/// path is tested without monitor. Shared by the redpacket tests and bench/seed.
/// </summary>
public sealed class CampaignSeeder(string postgres, string rabbitMq) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _db = NpgsqlDataSource.Create(postgres);
    private IConnection? _connection;

    public NpgsqlDataSource Database => _db;

    /// <summary>
    /// A campaign of <paramref name="packets"/> packets in <paramref name="batches"/> batches due every
    /// <paramref name="intervalSeconds"/> from <paramref name="startsAt"/>; the first <paramref name="releasedBatches"/> are released now.
    /// With <paramref name="publish"/> false they are only recorded as released, in the same transaction (no releaser
    /// publishes them meanwhile): the test publishes their packets itself, in the order it needs.
    /// </summary>
    public async Task<SeededCampaign> CreateAsync(int packets, int batches, int releasedBatches, DateTimeOffset startsAt, int intervalSeconds = 60, int seed = 7, bool publish = true)
    {
        var random = new Random(seed);
        var amounts = Enumerable.Range(0, packets).Select(_ => random.Next(1, 500)).ToArray();
        long total = amounts.Sum();
        await using var connection = await _db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var id = await connection.ExecuteScalarAsync<long>("""
            INSERT INTO campaigns (name, total_cents, packet_count, batch_count, interval_seconds, starts_at, status)
            VALUES (@name, @total, @packets, @batches, @intervalSeconds, @startsAt, @status) RETURNING id
            """, new { name = "test " + Guid.NewGuid().ToString("N")[..8], total, packets, batches, intervalSeconds, startsAt = startsAt.UtcDateTime,
            status = releasedBatches == 0 ? "scheduled" : releasedBatches == batches ? "released" : "releasing" }, tx);
        var batchOf = Enumerable.Range(0, packets).Select(i => i * batches / packets).ToArray();
        var packetIds = (await connection.QueryAsync<long>("""
            INSERT INTO packets (campaign_id, batch_no, amount_cents)
            SELECT @id, b, a FROM unnest(@batchOf, @amounts) WITH ORDINALITY AS x(b, a, n) ORDER BY n RETURNING id
            """, new { id, batchOf, amounts }, tx)).Order().ToArray();
        for (var b = 0; b < batches; b++)
        {
            await connection.ExecuteAsync("""
                INSERT INTO release_batches (campaign_id, batch_no, due_at, packet_count, released_at)
                VALUES (@id, @b, @due, @count, @releasedAt)
                """, new { id, b, due = startsAt.AddSeconds(b * intervalSeconds).UtcDateTime, count = batchOf.Count(x => x == b),
                releasedAt = !publish && b < releasedBatches ? DateTime.UtcNow : (DateTime?)null }, tx);
        }
        await tx.CommitAsync();

        var messages = packetIds.Select((p, i) => new PacketMessage(p, id, amounts[i])).ToArray();
        var campaign = new SeededCampaign(id, total, messages, batchOf);
        for (var b = 0; publish && b < releasedBatches; b++)
        {
            await ReleaseBatchAsync(campaign, b);
        }
        return campaign;
    }

    /// <summary>Publishes a batch's packets (confirmed), then marks it released.</summary>
    public async Task ReleaseBatchAsync(SeededCampaign campaign, int batch)
    {
        await PublishAsync(campaign.Id, campaign.Packets.Where((_, i) => campaign.BatchOf[i] == batch));
        await MarkReleasedAsync(campaign.Id, batch);
    }

    /// <summary>Records a batch as released (its packets were published some other way).</summary>
    public async Task MarkReleasedAsync(long campaignId, int batch)
    {
        await using var connection = await _db.OpenConnectionAsync();
        await connection.ExecuteAsync("UPDATE release_batches SET released_at = now() WHERE campaign_id = @campaignId AND batch_no = @batch", new { campaignId, batch });
    }

    /// <summary>Publishes any body to the campaign's queue (confirmed), e.g. a malformed packet message.</summary>
    public async Task PublishRawAsync(long campaignId, string messageId, byte[] body)
    {
        await using var channel = await OpenChannelAsync(confirms: true);
        await Topology.DeclarePacketQueueAsync(channel, campaignId);
        var properties = new BasicProperties { Persistent = true, MessageId = messageId, ContentType = "application/json" };
        await channel.BasicPublishAsync("", Topology.PacketQueue(campaignId), true, properties, body);
    }

    /// <summary>Publishes packet messages to the campaign's queue, persistent, waiting for every confirm.</summary>
    public async Task PublishAsync(long campaignId, IEnumerable<PacketMessage> packets)
    {
        await using var channel = await OpenChannelAsync(confirms: true);
        await Topology.DeclarePacketQueueAsync(channel, campaignId);
        var pending = new List<Task>();
        foreach (var packet in packets)
        {
            var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(packet, MessagingJsonContext.Default.PacketMessage);
            var properties = new BasicProperties { Persistent = true, MessageId = packet.PacketId.ToString(System.Globalization.CultureInfo.InvariantCulture), ContentType = "application/json" };
            pending.Add(channel.BasicPublishAsync("", Topology.PacketQueue(campaignId), true, properties, body).AsTask());
            if (pending.Count >= 256)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }
        await Task.WhenAll(pending);
    }

    /// <summary>Messages ready in the campaign's queue (not those a consumer holds unacked).</summary>
    public async Task<uint> ReadyCountAsync(long campaignId) => (await QueueStateAsync(campaignId)).Ready;

    /// <summary>Messages ready in the campaign's queue, and how many consumers it has.</summary>
    public async Task<(uint Ready, uint Consumers)> QueueStateAsync(long campaignId)
    {
        await using var channel = await OpenChannelAsync(confirms: false);
        var ok = await channel.QueueDeclarePassiveAsync(Topology.PacketQueue(campaignId));
        return (ok.MessageCount, ok.ConsumerCount);
    }

    public async Task<List<(long PacketId, long UserId, int AmountCents)>> ClaimsAsync(long campaignId)
    {
        await using var connection = await _db.OpenConnectionAsync();
        return (await connection.QueryAsync<(long, long, int)>(
            "SELECT packet_id, user_id, amount_cents FROM claims WHERE campaign_id = @campaignId", new { campaignId })).ToList();
    }

    private async Task<IChannel> OpenChannelAsync(bool confirms)
    {
        if (_connection is { IsOpen: false })
        {
            // The broker restarted (a fault test): a fresh connection instead of waiting for recovery.
            _connection.Dispose();
            _connection = null;
        }
        _connection ??= await new ConnectionFactory { Uri = new Uri(rabbitMq) }.CreateConnectionAsync();
        return await _connection.CreateChannelAsync(new CreateChannelOptions(confirms, confirms));
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.CloseAsync();
            _connection.Dispose();
        }
        await _db.DisposeAsync();
    }
}
