using ElasticRedPacket.ServiceDefaults.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ElasticRedPacket.Monitor.Messaging;

/// <summary>
/// Reads how many packets wait in a campaign's queue (a passive declare answers with the ready
/// count; unacked deliveries held by redpacket consumers are not in it). One shared channel; a
/// passive declare of a missing queue closes it, so it is re-opened on the next call.
/// </summary>
public sealed class QueueInspector(RabbitMqConnection connection) : IAsyncDisposable
{
    private readonly ReopeningChannel _channel = new(connection);

    /// <summary>Ready messages; 0 when the queue does not exist; null when RabbitMQ cannot answer now.</summary>
    public async Task<long?> ReadyCountAsync(long campaignId, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            var channel = await _channel.GetAsync(timeout.Token);
            var ok = await channel.QueueDeclarePassiveAsync(Topology.PacketQueue(campaignId), cancellationToken);
            return ok.MessageCount;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
        catch (Exception ex) when (ex is OperationInterruptedException or AlreadyClosedException or BrokerUnreachableException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public ValueTask DisposeAsync() => _channel.DisposeAsync();
}
