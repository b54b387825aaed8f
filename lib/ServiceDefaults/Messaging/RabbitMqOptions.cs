using System.ComponentModel.DataAnnotations;

namespace ElasticRedPacket.ServiceDefaults.Messaging;

/// <summary>Settings under "RabbitMQ" (the address is ConnectionStrings:RabbitMQ).</summary>
public sealed class RabbitMqOptions
{
    public const string Section = "RabbitMQ";

    /// <summary>
    /// A connection closed this long while the broker accepts new ones is replaced (its automatic
    /// recovery never ran); 0 turns the fallback off. The client retries every 2 s, so a healthy
    /// recovery finishes long before.
    /// </summary>
    [Range(0, 3600)]
    public int ReplaceStuckAfterSeconds { get; set; } = 30;
}
