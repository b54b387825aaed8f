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
}
