using ElasticRedPacket.RedPacket.Messaging;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;

namespace ElasticRedPacket.RedPacket.Tests;

/// <summary>
/// A campaign consumer through a RabbitMQ restart. While the client library recovers the connection
/// it re-opens channels in the order they were created; a channel opened in that window is recovered
/// a second time and its first incarnation is left consuming with nobody acking (packets stranded,
/// found by bench/chaos.sh). So the consumer must not look broken while its connection recovers
/// (the registry would replace it then), and must look broken after a channel error, which automatic
/// recovery does not repair. Runs alone (it restarts RabbitMQ).
/// </summary>
[Collection(nameof(GrabChaosTests))]
public sealed class ConsumerRecoveryTests(GrabFixture stack) : IClassFixture<GrabFixture>
{
    [Fact]
    public async Task Consumer_BrokerRestart_NotBrokenWhileRecoveringServesAfterwardsBrokenOnChannelError()
    {
        var campaign = await stack.Seeder.CreateAsync(8, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(-1));
        var factory = new ConnectionFactory { Uri = new Uri(StackEnvironment.Current.RabbitMq), NetworkRecoveryInterval = TimeSpan.FromMilliseconds(500) };
        await using var connection = await factory.CreateConnectionAsync();
        // A consumer on a channel created first, so recovered first: when the library recovers it, the
        // campaign consumer's channel is still closed on an already reopened connection.
        await using var recoveredFirst = await connection.CreateChannelAsync();
        var scratch = await recoveredFirst.QueueDeclareAsync();
        var firstTag = await recoveredFirst.BasicConsumeAsync(scratch.QueueName, autoAck: true, new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(recoveredFirst));
        await using var consumer = await CampaignConsumer.StartAsync(campaign.Id, connection, prefetch: 4, NullLogger.Instance, CancellationToken.None);
        var brokenWhileRecovering = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.RecoveringConsumerAsync += (_, args) =>
        {
            if (args.ConsumerTag == firstTag)
            {
                brokenWhileRecovering.TrySetResult(consumer.IsBroken);
            }
            return Task.CompletedTask;
        };
        Assert.NotNull(await consumer.TakeAsync(TimeSpan.FromSeconds(5), CancellationToken.None));

        await StackScripts.RunAsync("fault.sh", "restart", "rabbitmq");

        Assert.False(await brokenWhileRecovering.Task.WaitAsync(TimeSpan.FromSeconds(60)), "the consumer looked broken while its connection was recovering");
        var delivery = await TakeWithinAsync(consumer, TimeSpan.FromSeconds(30));
        Assert.True(delivery is not null, "the recovered consumer got no packet");
        Assert.Equal(1u, (await stack.Seeder.QueueStateAsync(campaign.Id)).Consumers);

        // An ack of a tag this channel never delivered: the broker closes the channel alone (PRECONDITION_FAILED).
        consumer.Ack(delivery.Value with { Tag = delivery.Value.Tag + 10_000 }); // sent alone once it has waited 20 ms
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!consumer.IsBroken && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.True(consumer.IsBroken, "a channel the broker closed for an error is not reported broken");

        var notReady = await ReplicaReadiness.WaitAllReadyAsync(TimeSpan.FromSeconds(60));
        Assert.True(notReady.Count == 0, "the stack did not recover: " + string.Join("; ", notReady));
    }

    private static async Task<Delivery?> TakeWithinAsync(CampaignConsumer consumer, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await consumer.TakeAsync(TimeSpan.FromSeconds(1), CancellationToken.None) is { } delivery)
            {
                return delivery;
            }
        }
        return null;
    }
}
