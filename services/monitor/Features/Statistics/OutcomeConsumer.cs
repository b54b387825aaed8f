using System.Text.Json;
using ElasticRedPacket.Monitor.Data;
using ElasticRedPacket.Monitor.Telemetry;
using ElasticRedPacket.ServiceDefaults.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace ElasticRedPacket.Monitor.Features.Statistics;

/// <summary>
/// Consumes redpacket's outcome batches (competing consumers: each batch goes to one monitor
/// replica), records each in PostgreSQL, then acks. A malformed batch is nacked without requeue
/// and dead-lettered; a database failure requeues it after a pause. The consumer survives broker
/// restarts through the connection's automatic recovery.
/// </summary>
public sealed partial class OutcomeConsumer(
    RabbitMqConnection connection,
    OutcomeStore store,
    MonitorMetrics metrics,
    IOptions<MonitorOptions> options,
    ILogger<OutcomeConsumer> logger) : BackgroundService
{
    private IChannel? _channel;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var conn = await connection.GetAsync(stoppingToken);
        var channel = await conn.CreateChannelAsync(cancellationToken: stoppingToken);
        _channel = channel;
        try
        {
            await Topology.DeclareSharedAsync(channel, stoppingToken);
            await channel.BasicQosAsync(0, (ushort)options.Value.OutcomePrefetch, false, stoppingToken);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) => HandleAsync(delivery, stoppingToken);
            await channel.BasicConsumeAsync(Topology.OutcomeQueue, autoAck: false, consumer, stoppingToken);
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: unacked batches go back to the queue when the channel closes.
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

    private async Task HandleAsync(BasicDeliverEventArgs delivery, CancellationToken stoppingToken)
    {
        var channel = _channel!;
        if (!TryParse(delivery.Body, out var batch))
        {
            LogMalformed(delivery.BasicProperties.MessageId);
            metrics.OutcomeBatch(OutcomeBatchResult.Malformed);
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false, CancellationToken.None);
            return;
        }
        try
        {
            var counted = await store.RecordAsync(batch, stoppingToken);
            if (!counted)
            {
                LogDuplicate(batch.BatchId);
            }
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None);
            metrics.OutcomeBatch(counted ? OutcomeBatchResult.Counted : OutcomeBatchResult.Duplicate);
        }
        catch (Exception ex)
        {
            LogRecordFailed(ex, batch.BatchId);
            metrics.OutcomeBatch(OutcomeBatchResult.Failed);
            if (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            }
            // Requeue: the batch id makes the retry safe whatever the failure left behind.
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true, CancellationToken.None);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Malformed outcome batch {MessageId}: dead-lettered")]
    private partial void LogMalformed(string? messageId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outcome batch {BatchId} was counted before: acked, not counted again")]
    private partial void LogDuplicate(Guid batchId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording outcome batch {BatchId} failed: requeued")]
    private partial void LogRecordFailed(Exception exception, Guid batchId);
}
