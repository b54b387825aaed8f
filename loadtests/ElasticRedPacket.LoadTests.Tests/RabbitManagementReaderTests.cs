using ElasticRedPacket.LoadTests.Audit;
using ElasticRedPacket.LoadTests.Client;
using ElasticRedPacket.TestSupport;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Xunit.Abstractions;

namespace ElasticRedPacket.LoadTests.Tests;

/// <summary>
/// The audit's management reader against the stack's real RabbitMQ: deliveries a consumer holds
/// without acking show as unacked (the redpacket replicas' prefetch buffers), and return to ready
/// when the consumer goes away. The counts are samples, so each read polls until it sees them.
/// </summary>
public sealed class RabbitManagementReaderTests(ITestOutputHelper output)
{
    private const int Published = 10;
    private const ushort Held = 4;
    private static readonly TimeSpan SampleWait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ReadQueueAsync_ConsumerHoldsDeliveriesUnacked_CountsThemUnackedNotReady()
    {
        var stack = StackEnvironment.Current;
        var reader = new RabbitManagementReader(stack.RabbitMqManagement);
        var factory = new ConnectionFactory { Uri = new Uri(stack.RabbitMq) };
        await using var connection = await factory.CreateConnectionAsync();
        var queue = "test.audit." + Guid.NewGuid().ToString("N");
        await using (var setup = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            // A quorum queue like the packet queues (their counts come from the quorum tick).
            await setup.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
            for (var i = 0; i < Published; i++)
            {
                await setup.BasicPublishAsync("", queue, mandatory: true, new BasicProperties { Persistent = true }, new[] { (byte)i });
            }
        }
        try
        {
            var consumer = await connection.CreateChannelAsync();
            await consumer.BasicQosAsync(0, Held, global: false);
            var delivered = 0;
            var events = new AsyncEventingBasicConsumer(consumer);
            events.ReceivedAsync += (_, _) =>
            {
                Interlocked.Increment(ref delivered); // held, never acked
                return Task.CompletedTask;
            };
            await consumer.BasicConsumeAsync(queue, autoAck: false, events);

            var held = await WaitForAsync(reader, queue, new QueueDepth(Published - Held, Held, "RabbitMQ management API"));
            Assert.Equal(Held, Volatile.Read(ref delivered));
            output.WriteLine($"unacked {Held} visible in the management API {held.TotalMilliseconds:0} ms after the consumer started");

            // The consumer goes away without acking: its deliveries return to the queue as ready.
            await consumer.CloseAsync();
            await consumer.DisposeAsync();
            var closed = Stopwatch.GetTimestamp();
            await using (var probe = await connection.CreateChannelAsync())
            {
                // The queue itself (a passive declare asks the leader) has them back at once...
                while ((await probe.QueueDeclarePassiveAsync(queue)).MessageCount != Published && Stopwatch.GetElapsedTime(closed) < SampleWait)
                {
                    await Task.Delay(20);
                }
            }
            output.WriteLine($"ready {Published} over AMQP {Stopwatch.GetElapsedTime(closed).TotalMilliseconds:0} ms after the channel closed");
            // ...the management API's sample follows within its lag (what --audit-settle must exceed).
            var returned = await WaitForAsync(reader, queue, new QueueDepth(Published, 0, "RabbitMQ management API"));
            output.WriteLine($"ready {Published} + unacked 0 in the management API {returned.TotalMilliseconds:0} ms later");
        }
        finally
        {
            await using var cleanup = await connection.CreateChannelAsync();
            await cleanup.QueueDeleteAsync(queue);
        }
    }

    [Fact]
    public async Task ReadQueueAsync_QueueNotDeclared_IsEmpty()
    {
        var reader = new RabbitManagementReader(StackEnvironment.Current.RabbitMqManagement);

        var depth = await reader.ReadQueueAsync("test.audit.none." + Guid.NewGuid().ToString("N"), CancellationToken.None);

        Assert.Equal(new QueueDepth(0, 0, "RabbitMQ management API"), depth);
    }

    [Fact]
    public async Task ReadQueueAsync_WrongPassword_ThrowsSayingSo()
    {
        var url = new UriBuilder(StackEnvironment.Current.RabbitMqManagement) { Password = "wrong" }.Uri.ToString();

        var error = await Assert.ThrowsAsync<HarnessException>(() => new RabbitManagementReader(url).ReadQueueAsync("any", CancellationToken.None));

        Assert.Contains("answered 401", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Polls until the sampled counts equal <paramref name="expected"/>; returns how long that took.</summary>
    private static async Task<TimeSpan> WaitForAsync(RabbitManagementReader reader, string queue, QueueDepth expected)
    {
        var started = Stopwatch.GetTimestamp();
        QueueDepth? last = null;
        while (Stopwatch.GetElapsedTime(started) < SampleWait)
        {
            try
            {
                last = await reader.ReadQueueAsync(queue, CancellationToken.None);
            }
            catch (HarnessException)
            {
                // not sampled yet
            }
            if (last == expected)
            {
                return Stopwatch.GetElapsedTime(started);
            }
            await Task.Delay(100);
        }
        Assert.Fail($"queue {queue}: expected {expected}, the management API still says {last} after {SampleWait.TotalSeconds} s");
        return default;
    }
}
