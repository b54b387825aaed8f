using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using ElasticRedPacket.Monitor.Features.Campaigns;
using ElasticRedPacket.Monitor.Data;
using ElasticRedPacket.ServiceDefaults.Messaging;
using RabbitMQ.Client;
using Microsoft.Extensions.DependencyInjection;

namespace ElasticRedPacket.Monitor.Tests;

/// <summary>Outcome batches published as redpacket does, counted by monitor (in-process host and the stack's replica compete).</summary>
public sealed class StatisticsTests : IClassFixture<ServiceFactory<Program>>
{
    private readonly HttpClient _operator;
    private readonly ServiceFactory<Program> _factory;

    public StatisticsTests(ServiceFactory<Program> factory) => (_factory, _operator) = (factory, Probe.Operator(factory.CreateClient()));

    [Fact]
    public async Task OutcomeStore_GroupWithRepeats_EachBatchIdCountedOnce()
    {
        var issued = await Probe.IssueAsync(_operator, Probe.Campaign("group", startsAt: DateTimeOffset.UtcNow.AddHours(1)));
        OutcomeBatch Batch(string outcome, long count) =>
            new(Guid.NewGuid(), "test", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, [new OutcomeCount(issued.Id, outcome, count)]);
        var (a, b, c) = (Batch("sold_out", 3), Batch("sold_out", 5), Batch("try_again", 7));
        var store = _factory.Services.GetRequiredService<OutcomeStore>();

        // A repeat inside one group and a repeat of an earlier group: both counted once.
        Assert.Equal(2, await store.RecordAsync([a, b, a], CancellationToken.None));
        Assert.Equal(1, await store.RecordAsync([a, c], CancellationToken.None));

        var counts = await CountsAsync(issued.Id);
        Assert.Equal(8, counts["sold_out"]);
        Assert.Equal(7, counts["try_again"]);
    }

    [Fact]
    public async Task OutcomeBatch_DeliveredTwice_CountedOnce()
    {
        var issued = await Probe.IssueAsync(_operator, Probe.Campaign("stats", startsAt: DateTimeOffset.UtcNow.AddHours(1)));
        var batch = new OutcomeBatch(Guid.NewGuid(), "test", DateTimeOffset.UtcNow.AddSeconds(-1), DateTimeOffset.UtcNow,
        [
            new OutcomeCount(issued.Id, "won", 3),
            new OutcomeCount(issued.Id, "sold_out", 40),
            new OutcomeCount(issued.Id, "won", 2),
            new OutcomeCount(issued.Id, "rate_limited", 7),
        ]);
        var body = JsonSerializer.SerializeToUtf8Bytes(batch, MessagingJsonContext.Default.OutcomeBatch);
        await PublishAsync(body, batch.BatchId.ToString());
        await PublishAsync(body, batch.BatchId.ToString());

        var counts = await WaitCountsAsync(issued.Id, c => c.GetValueOrDefault("won") >= 5);
        await Task.Delay(1500); // time for the second copy to be (not) counted
        counts = await CountsAsync(issued.Id);
        Assert.Equal(5, counts["won"]);
        Assert.Equal(40, counts["sold_out"]);
        Assert.Equal(7, counts["rate_limited"]);
        Assert.Equal(3, counts.Count);

        // The view's won is the ledger's count (no claim here), the other outcomes are the events'.
        var view = await _operator.GetFromJsonAsync<CampaignView>($"/api/campaigns/{issued.Id}");
        Assert.Equal(0, view!.Outcomes["won"]);
        Assert.Equal(40, view.Outcomes["sold_out"]);
    }

    [Fact]
    public async Task OutcomeBatches_DifferentIds_Accumulate()
    {
        var issued = await Probe.IssueAsync(_operator, Probe.Campaign("stats-sum", startsAt: DateTimeOffset.UtcNow.AddHours(1)));
        for (var i = 0; i < 3; i++)
        {
            var batch = new OutcomeBatch(Guid.NewGuid(), "test", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, [new OutcomeCount(issued.Id, "try_again", 10)]);
            await PublishAsync(JsonSerializer.SerializeToUtf8Bytes(batch, MessagingJsonContext.Default.OutcomeBatch), batch.BatchId.ToString());
        }
        var counts = await WaitCountsAsync(issued.Id, c => c.GetValueOrDefault("try_again") >= 30);
        Assert.Equal(30, counts["try_again"]);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"batchId\":\"00000000-0000-0000-0000-000000000000\",\"counts\":[]}")]
    [InlineData("{\"batchId\":\"6f1c8a34-0000-4000-8000-000000000001\",\"counts\":[{\"campaignId\":1,\"outcome\":\"jackpot\",\"count\":1}]}")]
    public async Task OutcomeBatch_Malformed_DeadLetteredNotCounted(string payload)
    {
        var messageId = "malformed-" + Guid.NewGuid().ToString("N");
        await PublishAsync(System.Text.Encoding.UTF8.GetBytes(payload), messageId);
        Assert.True(await DeadLetters.TakeAsync(await Probe.RabbitAsync(), Topology.DeadLetterQueue, messageId, TimeSpan.FromSeconds(10)) is not null,
            $"{messageId} did not reach {Topology.DeadLetterQueue}");
    }

    private static async Task PublishAsync(byte[] body, string messageId)
    {
        await using var channel = await (await Probe.RabbitAsync()).CreateChannelAsync(new CreateChannelOptions(true, true));
        await channel.BasicPublishAsync(Topology.OutcomeExchange, string.Empty, mandatory: true,
            new BasicProperties { Persistent = true, MessageId = messageId, ContentType = "application/json" }, body);
    }

    private static async Task<Dictionary<string, long>> WaitCountsAsync(long campaignId, Func<Dictionary<string, long>, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var counts = await CountsAsync(campaignId);
            if (done(counts))
            {
                return counts;
            }
            Assert.True(DateTime.UtcNow < deadline, $"counts for campaign {campaignId} not recorded: {string.Join(", ", counts)}");
            await Task.Delay(100);
        }
    }

    private static async Task<Dictionary<string, long>> CountsAsync(long campaignId)
    {
        await using var connection = await Probe.Db.OpenConnectionAsync();
        return (await connection.QueryAsync<(string, long)>("SELECT outcome, count FROM outcome_counts WHERE campaign_id = @campaignId", new { campaignId }))
            .ToDictionary(r => r.Item1, r => r.Item2);
    }
}
