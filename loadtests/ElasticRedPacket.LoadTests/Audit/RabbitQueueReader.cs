using ElasticRedPacket.ServiceDefaults.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ElasticRedPacket.LoadTests.Audit;

/// <summary>
/// The packets waiting in a campaign's queue, by a passive declare (it creates nothing). This is the
/// ready count: deliveries a redpacket consumer holds unacked are not in it, so the audit reads it
/// at a quiescent point (it retries until the books balance or its wait runs out).
/// </summary>
public sealed class RabbitQueueReader(string uri)
{
    public async Task<long> ReadyCountAsync(long campaignId, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = new Uri(uri), ClientProvidedName = "erp-loadtest-audit" };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            var queue = await channel.QueueDeclarePassiveAsync(Topology.PacketQueue(campaignId), cancellationToken);
            return queue.MessageCount;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return 0; // no batch released yet: the queue does not exist
        }
    }
}
