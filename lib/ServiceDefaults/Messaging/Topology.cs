using RabbitMQ.Client;

namespace ElasticRedPacket.ServiceDefaults.Messaging;

/// <summary>
/// The RabbitMQ names and arguments every service agrees on. Declarations are idempotent, so each
/// side declares what it uses with exactly these arguments.
/// </summary>
public static class Topology
{
    /// <summary>Poison messages (unparseable packets or events) end here instead of looping.</summary>
    public const string DeadLetterExchange = "erp.dead-letters";
    public const string DeadLetterQueue = "erp.dead-letters";

    /// <summary>redpacket publishes batched outcome events here; monitor consumes them.</summary>
    public const string OutcomeExchange = "erp.grab-outcomes";
    public const string OutcomeQueue = "erp.monitor.grab-outcomes";

    /// <summary>One quorum queue of packets per campaign; monitor publishes released batches into it.</summary>
    public static string PacketQueue(long campaignId) => "erp.campaign." + campaignId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".packets";

    public static Dictionary<string, object?> QuorumQueueArguments() => new()
    {
        ["x-queue-type"] = "quorum",
        ["x-dead-letter-exchange"] = DeadLetterExchange,
        // A packet redelivered this many times (consumer crash loops) is dead-lettered for an operator.
        ["x-delivery-limit"] = 20,
    };

    /// <summary>Declares a campaign's packet queue (idempotent: every declarer uses these arguments).</summary>
    public static Task<QueueDeclareOk> DeclarePacketQueueAsync(IChannel channel, long campaignId, CancellationToken cancellationToken = default) =>
        channel.QueueDeclareAsync(PacketQueue(campaignId), durable: true, exclusive: false, autoDelete: false,
            arguments: QuorumQueueArguments(), cancellationToken: cancellationToken);

    /// <summary>
    /// Declares what both redpacket and monitor rely on: the dead-letter pair and the outcome
    /// exchange, queue and binding. Either side may start first; no batch or poison message is
    /// dropped for want of a queue.
    /// </summary>
    public static async Task DeclareSharedAsync(IChannel channel, CancellationToken cancellationToken = default)
    {
        await channel.ExchangeDeclareAsync(DeadLetterExchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(DeadLetterQueue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(DeadLetterQueue, DeadLetterExchange, string.Empty, cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(OutcomeExchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(OutcomeQueue, durable: true, exclusive: false, autoDelete: false,
            arguments: QuorumQueueArguments(), cancellationToken: cancellationToken);
        await channel.QueueBindAsync(OutcomeQueue, OutcomeExchange, string.Empty, cancellationToken: cancellationToken);
    }
}
