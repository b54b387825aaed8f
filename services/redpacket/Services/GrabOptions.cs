using System.ComponentModel.DataAnnotations;

namespace ElasticRedPacket.RedPacket.Services;

/// <summary>Grab:* settings (validated at start-up).</summary>
public sealed class GrabOptions
{
    public const string Section = "Grab";

    /// <summary>
    /// The most unacked packets one replica holds per campaign. A campaign gets an eighth of its largest batch within
    /// [min(128, this), this] (ConsumerRegistry.PrefetchFor): enough for the grabs a replica serves at once (each holds
    /// its packet until the commit and its ack), small enough that packets do not idle in one replica while others turn
    /// users away. 512 is ~50 ms of a replica's grabs at 10,000/s; 128 capped its claims in flight (docs/performance.md).
    /// </summary>
    [Range(1, 1000)]
    public int Prefetch { get; set; } = 512;

    /// <summary>How long a grab waits for a packet when this replica's buffer is empty before answering try_again.</summary>
    [Range(0, 2000)]
    public int BufferWaitMilliseconds { get; set; } = 75;

    /// <summary>How long a campaign's state (start, batches released, claims) is reused before it is read again.</summary>
    [Range(50, 10_000)]
    public int CampaignCacheMilliseconds { get; set; } = 300;

    /// <summary>Most claims per grouped INSERT.</summary>
    [Range(1, 5000)]
    public int ClaimBatchSize { get; set; } = 256;

    /// <summary>Grouped INSERTs that may run at once.</summary>
    [Range(1, 32)]
    public int ClaimWriters { get; set; } = 2;

    /// <summary>A grouped INSERT starts once its oldest claim has waited this long (0: at once); as with verify calls, only moderate load waits.</summary>
    [Range(0, 50)]
    public int ClaimGatherMilliseconds { get; set; } = 2;

    /// <summary>A claim INSERT slower than this fails (nothing said won, the packet stays buffered for the next grab).</summary>
    [Range(1, 120)]
    public int ClaimCommandTimeoutSeconds { get; set; } = 5;

    /// <summary>Longest an answer waits for its outcome count to be confirmed by RabbitMQ before it is sent anyway (the count is kept and published later).</summary>
    [Range(50, 60_000)]
    public int OutcomeDurableWaitMilliseconds { get; set; } = 1000;

    /// <summary>How long an outcome batch gathers answers after its first before it is published (0: at once): fewer, larger batches for a few ms of latency.</summary>
    [Range(0, 1000)]
    public int OutcomeGatherMilliseconds { get; set; } = 2;

    /// <summary>Counts no answer waits for (won: the ledger holds them) are published at least this often.</summary>
    [Range(10, 60_000)]
    public int OutcomeFlushMilliseconds { get; set; } = 250;

    /// <summary>
    /// Winners of final (sold-out or closed) campaigns held in memory, in rows over all campaigns (about
    /// 30 bytes each); a campaign that does not fit is answered by the batched ledger query instead.
    /// </summary>
    [Range(0, 20_000_000)]
    public long FinalWinnersInMemory { get; set; } = 1_000_000;

    /// <summary>A campaign's consumer that served no grab for this long is stopped (its packets go back to the queue).</summary>
    [Range(5, 86_400)]
    public int IdleConsumerSeconds { get; set; } = 120;

    /// <summary>How often the consumers are checked: idle ones and those of a closed campaign are stopped (their buffered packets go back to the queue, so monitor's close can drain them).</summary>
    [Range(100, 10_000)]
    public int ClosedCheckMilliseconds { get; set; } = 1000;

    /// <summary>When account is unreachable (breaker open), check the token's signature locally instead of shedding (no block or rate-limit check then).</summary>
    public bool DegradeToLocalTokenCheck { get; set; }

    /// <summary>Most grabs verified in one call to account (account accepts up to 1024).</summary>
    [Range(1, 1024)]
    public int VerifyBatchSize { get; set; } = 256;

    /// <summary>Verify calls to account in flight at once; grabs arriving meanwhile go out together in the next call.</summary>
    [Range(1, 64)]
    public int VerifyConcurrency { get; set; } = 2;

    /// <summary>
    /// A verify call goes once its oldest grab has waited this long (0: at once). Under load grabs wait for a free call
    /// slot longer than this anyway, so nothing is added; at moderate load each call would otherwise carry a grab or two
    /// and cost account, nginx and Redis a round trip each (docs/performance.md, session 7).
    /// </summary>
    [Range(0, 50)]
    public int VerifyGatherMilliseconds { get; set; } = 1;

    [Range(50, 30_000)]
    public int VerifyTimeoutMilliseconds { get; set; } = 1000;

    /// <summary>How long the breaker stays open after account failed (the Retry-After of shed answers).</summary>
    [Range(1, 300)]
    public int BreakerBreakSeconds { get; set; } = 5;

    /// <summary>Calls the breaker must see in its sampling window before it may open.</summary>
    [Range(2, 10_000)]
    public int BreakerMinimumThroughput { get; set; } = 10;
}

/// <summary>Services:AccountUrl: where account's /internal/verify/batch answers.</summary>
public sealed class ServicesOptions
{
    public const string Section = "Services";

    [Required]
    [Url]
    public string AccountUrl { get; set; } = "";
}
