using System.ComponentModel.DataAnnotations;

namespace ElasticRedPacket.Monitor;

public sealed class MonitorOptions
{
    public const string Section = "Monitor";

    /// <summary>How often the releaser looks for due batches (also the worst-case release lateness).</summary>
    [Range(50, 5000)]
    public int ReleaseTickMilliseconds { get; set; } = 250;

    /// <summary>Unconfirmed publishes the releaser keeps in flight.</summary>
    [Range(1, 10_000)]
    public int PublishInFlight { get; set; } = 1000;

    /// <summary>Outcome batches the statistics consumer holds unacked (prefetch); also the most recorded in one transaction.</summary>
    [Range(1, 1000)]
    public int OutcomePrefetch { get; set; } = 256;

    /// <summary>Longest a close keeps draining while packets are still unsettled (held unacked by redpacket); closing again carries on.</summary>
    [Range(1, 300)]
    public int CloseDrainSeconds { get; set; } = 20;

    /// <summary>How long the public active-campaigns answer is reused (the grab page polls it).</summary>
    [Range(0, 60_000)]
    public int ActiveCacheMilliseconds { get; set; } = 1000;
}

public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>The operator key (header X-Operator-Key); a secret, never in the repository.</summary>
    [Required]
    [MinLength(16)]
    public string OperatorKey { get; set; } = "";
}
