using System.Collections.Concurrent;
using System.Text.Json;
using ElasticRedPacket.ServiceDefaults.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ElasticRedPacket.RedPacket.Tests;

/// <summary>Every answer is published in an OutcomeBatch; the counts a listener on the fanout exchange sees equal the client's.</summary>
public sealed class GrabOutcomeEventsTests(GrabFixture stack) : IClassFixture<GrabFixture>
{
    [Fact]
    public async Task Grab_MixedOutcomesThroughTwoReplicas_PublishedCountsEqualAnswers()
    {
        var campaign = await stack.Seeder.CreateAsync(5, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(-1));
        var tokens = (await stack.NewUsersAsync(12)).Values.ToArray();

        // A queue of our own on the fanout exchange sees every batch, whoever else consumes monitor's queue.
        var seen = new ConcurrentDictionary<string, long>();
        var batchIds = new ConcurrentDictionary<Guid, bool>();
        var factory = new ConnectionFactory { Uri = new Uri(StackEnvironment.Current.RabbitMq) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(Topology.OutcomeExchange, ExchangeType.Fanout, durable: true, autoDelete: false);
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, Topology.OutcomeExchange, "");
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, args) =>
        {
            var batch = JsonSerializer.Deserialize(args.Body.Span, MessagingJsonContext.Default.OutcomeBatch)!;
            if (batchIds.TryAdd(batch.BatchId, true))
            {
                foreach (var count in batch.Counts.Where(c => c.CampaignId == campaign.Id))
                {
                    seen.AddOrUpdate(count.Outcome, count.Count, (_, v) => v + count.Count);
                }
            }
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);

        var answered = new Dictionary<string, long>();
        foreach (var token in tokens.Concat(tokens.Take(3)).Append("bad-token"))
        {
            var result = await GrabFixture.GrabAsync(stack.Nginx, token, campaign.Id);
            answered[result.Outcome] = answered.GetValueOrDefault(result.Outcome) + 1;
        }
        Assert.True(answered.GetValueOrDefault("won") == 5, string.Join(", ", answered));
        Assert.Equal(1, answered.GetValueOrDefault("unauthorized"));

        for (var i = 0; i < 40 && !answered.All(a => seen.GetValueOrDefault(a.Key) == a.Value); i++)
        {
            await Task.Delay(100);
        }
        Assert.Equal(answered.OrderBy(a => a.Key), seen.OrderBy(s => s.Key));
    }
}
