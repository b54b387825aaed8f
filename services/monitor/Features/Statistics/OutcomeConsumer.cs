using System.Text.Json;
using System.Threading.Channels;
using ElasticRedPacket.Monitor.Data;
using ElasticRedPacket.Monitor.Telemetry;
using ElasticRedPacket.ServiceDefaults.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace ElasticRedPacket.Monitor.Features.Statistics;

/// <summary>
/// Consumes redpacket's outcome batches (competing consumers: each batch goes to one monitor
/// replica) and records them in PostgreSQL in groups: every batch that arrived while the previous
/// group was written goes into the next transaction, then one ack (multiple) settles the group.
/// A malformed batch is nacked without requeue and dead-lettered; a database failure requeues the
/// group after a pause. The consumer survives broker restarts through the connection's automatic recovery, and
/// starts again on a new connection when that recovery never runs (RabbitMqConnection.ReplaceIfStuckAsync).
/// </summary>
public sealed partial class OutcomeConsumer(
    RabbitMqConnection connection,
    OutcomeStore store,
    MonitorMetrics metrics,
    IOptions<MonitorOptions> options,
    ILogger<OutcomeConsumer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var conn = await connection.GetAsync(stoppingToken);
            using var replaced = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, connection.ReplacedToken(conn));
            try
            {
                await ConsumeAsync(conn, replaced.Token, stoppingToken);
                if (!stoppingToken.IsCancellationRequested)
                {
                    LogRestarting();
                }
            }
            catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException
                || (ex is OperationCanceledException && !stoppingToken.IsCancellationRequested))
            {
                // The connection closed, or was replaced, while the consumer was being set up: try again.
                LogStartFailed(ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>
    /// Consumes on one connection until it is replaced (its recovery never ran) or the service stops.
    /// Delivery tags belong to their channel, so every channel gets its own queue of received batches.
    /// </summary>
    private async Task ConsumeAsync(IConnection conn, CancellationToken replaced, CancellationToken stoppingToken)
    {
        var channel = await conn.CreateChannelAsync(cancellationToken: replaced);
        var received = Channel.CreateUnbounded<(ulong Tag, OutcomeBatch Batch)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        try
        {
            await Topology.DeclareSharedAsync(channel, replaced);
            await channel.BasicQosAsync(0, (ushort)options.Value.OutcomePrefetch, false, replaced);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) => ReceiveAsync(channel, received.Writer, delivery);
            await channel.BasicConsumeAsync(Topology.OutcomeQueue, autoAck: false, consumer, replaced);
            await RecordGroupsAsync(channel, received.Reader, replaced, stoppingToken);
        }
        catch (OperationCanceledException) when (replaced.IsCancellationRequested)
        {
            // Stopping, or the connection was replaced: unacked batches go back to the queue when the channel closes.
        }
        finally
        {
            try
            {
                await channel.CloseAsync(CancellationToken.None);
                await channel.DisposeAsync();
            }
            catch (Exception ex) when (ex is ObjectDisposedException or AlreadyClosedException or OperationInterruptedException)
            {
                // The connection went first (shutdown or broker restart): nothing left to close.
            }
        }
    }

    /// <summary>Parses in the handler: the delivery's body is only valid until it returns.</summary>
    private async Task ReceiveAsync(IChannel channel, ChannelWriter<(ulong, OutcomeBatch)> received, BasicDeliverEventArgs delivery)
    {
        if (!TryParse(delivery.Body, out var batch))
        {
            LogMalformed(delivery.BasicProperties.MessageId);
            metrics.OutcomeBatches(OutcomeBatchResult.Malformed, 1);
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false, CancellationToken.None);
            return;
        }
        received.TryWrite((delivery.DeliveryTag, batch));
    }

    /// <summary>Waits for batches until <paramref name="replaced"/>; a group being written finishes (or fails) on <paramref name="stoppingToken"/> alone.</summary>
    private async Task RecordGroupsAsync(IChannel channel, ChannelReader<(ulong Tag, OutcomeBatch Batch)> received, CancellationToken replaced, CancellationToken stoppingToken)
    {
        var group = new List<OutcomeBatch>();
        while (await received.WaitToReadAsync(replaced))
        {
            group.Clear();
            ulong last = 0;
            while (group.Count < options.Value.OutcomePrefetch && received.TryRead(out var item))
            {
                group.Add(item.Batch);
                last = item.Tag;
            }
            bool recorded;
            try
            {
                var counted = await store.RecordAsync(group, stoppingToken);
                if (counted < group.Count)
                {
                    LogDuplicates(group.Count - counted);
                }
                metrics.OutcomeBatches(OutcomeBatchResult.Counted, counted);
                metrics.OutcomeBatches(OutcomeBatchResult.Duplicate, group.Count - counted);
                recorded = true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogRecordFailed(ex, group.Count);
                metrics.OutcomeBatches(OutcomeBatchResult.Failed, group.Count);
                recorded = false;
                await Task.Delay(TimeSpan.FromSeconds(1), replaced);
            }
            await SettleAsync(channel, last, recorded);
        }
    }

    /// <summary>
    /// Acks the group (every earlier delivery is settled already: acked with an earlier group or nacked as
    /// malformed) or requeues it; the batch ids make a retry safe whatever a failure left behind. A channel
    /// closed by a broker restart returns the group to the queue by itself, and the recovered channel
    /// ignores tags from before the restart.
    /// </summary>
    private async Task SettleAsync(IChannel channel, ulong last, bool recorded)
    {
        try
        {
            if (recorded)
            {
                await channel.BasicAckAsync(last, multiple: true, CancellationToken.None);
            }
            else
            {
                await channel.BasicNackAsync(last, multiple: true, requeue: true, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or ObjectDisposedException)
        {
            LogSettleFailed(ex.Message);
        }
    }

    /// <summary>A batch is well-formed when it parses, has an id, known outcome names and counts >= 0.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> body, out OutcomeBatch batch)
    {
        batch = null!;
        try
        {
            var parsed = JsonSerializer.Deserialize(body.Span, MessagingJsonContext.Default.OutcomeBatch);
            if (parsed is null || parsed.BatchId == Guid.Empty || parsed.Counts is null)
            {
                return false;
            }
            foreach (var count in parsed.Counts)
            {
                if (count is null || count.Count < 0 || count.CampaignId <= 0 || count.Outcome is null || !GrabOutcomes.TryParse(count.Outcome, out _))
                {
                    return false;
                }
            }
            batch = parsed;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "RabbitMQ connection replaced: consuming outcome batches again on the new one")]
    private partial void LogRestarting();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Starting the outcome consumer failed ({Reason}); trying again in a second")]
    private partial void LogStartFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Malformed outcome batch {MessageId}: dead-lettered")]
    private partial void LogMalformed(string? messageId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} outcome batches were counted before: acked, not counted again")]
    private partial void LogDuplicates(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outcome batches not settled ({Reason}): the broker redelivers them, counted once")]
    private partial void LogSettleFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording {Count} outcome batches failed: requeued")]
    private partial void LogRecordFailed(Exception exception, int count);
}
