using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using ElasticRedPacket.Monitor.Features.Campaigns;
using ElasticRedPacket.ServiceDefaults.Messaging;
using Npgsql;
using RabbitMQ.Client;

namespace ElasticRedPacket.Monitor.Tests.Support;

/// <summary>Direct access to the test stack's PostgreSQL and RabbitMQ, to check what monitor did.</summary>
public static class Probe
{
    private static readonly Lazy<NpgsqlDataSource> Data = new(() => NpgsqlDataSource.Create(StackEnvironment.Current.Postgres));
    private static readonly SemaphoreSlim RabbitGate = new(1, 1);
    private static IConnection? _rabbit;

    public static NpgsqlDataSource Db => Data.Value;

    public static async Task<IConnection> RabbitAsync()
    {
        await RabbitGate.WaitAsync();
        try
        {
            // A broker restart (ReleaseScheduleTests stops it) closes the shared connection; its automatic
            // recovery may lag the broker by seconds, so a closed one is replaced rather than waited for.
            if (_rabbit is { IsOpen: false })
            {
                _ = _rabbit.DisposeAsync().AsTask();
                _rabbit = null;
            }
            return _rabbit ??= await new ConnectionFactory { Uri = new Uri(StackEnvironment.Current.RabbitMq) }.CreateConnectionAsync();
        }
        finally
        {
            RabbitGate.Release();
        }
    }

    public static HttpClient Operator(HttpClient client)
    {
        client.DefaultRequestHeaders.Add("X-Operator-Key", StackEnvironment.Current.OperatorKey);
        return client;
    }

    public static IssueCampaignRequest Campaign(string prefix, long totalCents = 10_000, int packets = 100, int batches = 5, int interval = 1, DateTimeOffset? startsAt = null) =>
        new($"{prefix}-{Guid.NewGuid():N}", totalCents, packets, batches, interval, startsAt);

    public static async Task<CampaignIssued> IssueAsync(HttpClient operatorClient, IssueCampaignRequest request)
    {
        var response = await operatorClient.PostAsJsonAsync("/api/campaigns", request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonSerializer.Deserialize<CampaignIssued>(body, JsonSerializerOptions.Web)!;
    }

    public sealed record BatchRow(int BatchNo, DateTime DueAt, int PacketCount, DateTime? ReleasedAt);

    public static async Task<List<BatchRow>> BatchesAsync(long campaignId)
    {
        await using var connection = await Db.OpenConnectionAsync();
        return (await connection.QueryAsync<BatchRow>(
            "SELECT batch_no AS BatchNo, due_at AS DueAt, packet_count AS PacketCount, released_at AS ReleasedAt FROM release_batches WHERE campaign_id = @campaignId ORDER BY batch_no",
            new { campaignId })).AsList();
    }

    /// <summary>Polls until every batch of the campaign is marked released, or fails after the timeout.</summary>
    public static async Task<List<BatchRow>> WaitReleasedAsync(long campaignId, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var batches = await BatchesAsync(campaignId);
            if (batches.Count(b => b.ReleasedAt is not null) >= count)
            {
                return batches;
            }
            Assert.True(DateTime.UtcNow < deadline, $"campaign {campaignId}: {batches.Count(b => b.ReleasedAt is not null)} of {count} batches released after {timeout}");
            await Task.Delay(100);
        }
    }

    public static async Task<long> ReadyCountAsync(long campaignId)
    {
        await using var channel = await (await RabbitAsync()).CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(Topology.PacketQueue(campaignId))).MessageCount;
    }

    /// <summary>Takes every ready message out of the campaign's queue (acked) and returns them.</summary>
    public static async Task<List<PacketMessage>> DrainAsync(long campaignId)
    {
        await using var channel = await (await RabbitAsync()).CreateChannelAsync();
        var messages = new List<PacketMessage>();
        while (await channel.BasicGetAsync(Topology.PacketQueue(campaignId), autoAck: true) is { } message)
        {
            var packet = JsonSerializer.Deserialize(message.Body.Span, MessagingJsonContext.Default.PacketMessage)!;
            Assert.Equal(packet.PacketId.ToString(System.Globalization.CultureInfo.InvariantCulture), message.BasicProperties.MessageId);
            messages.Add(packet);
        }
        return messages;
    }

    public static async Task<List<(long Id, int Amount)>> PacketsAsync(long campaignId)
    {
        await using var connection = await Db.OpenConnectionAsync();
        return (await connection.QueryAsync<(long, int)>(
            "SELECT id, amount_cents FROM packets WHERE campaign_id = @campaignId ORDER BY id", new { campaignId })).AsList();
    }
}
