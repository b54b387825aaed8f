using ElasticRedPacket.ServiceDefaults.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ElasticRedPacket.LoadTests.Audit;

/// <summary>
/// The fallback without a management URL: the packets waiting in a campaign's queue, by a passive
/// declare (it creates nothing). This is only the ready count: deliveries a redpacket consumer holds
/// unacked are not in it, so the books balance with it only at sell-out or once consumers idle.
/// </summary>
public sealed class RabbitQueueReader(string uri)
{
    public async Task<QueueDepth> ReadAsync(long campaignId, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = new Uri(uri), ClientProvidedName = "erp-loadtest-audit" };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            var queue = await channel.QueueDeclarePassiveAsync(Topology.PacketQueue(campaignId), cancellationToken);
            return new QueueDepth(queue.MessageCount, null, "RabbitMQ ready count (AMQP)");
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return new QueueDepth(0, null, "RabbitMQ ready count (AMQP)"); // no batch released yet: the queue does not exist
        }
    }
}
