using System.ComponentModel.DataAnnotations;

namespace ElasticRedPacket.Account.Services;

/// <summary>Account:* settings: the per-user rate limit and how long a user's status is cached.</summary>
public sealed class AccountOptions
{
    public const string Section = "Account";

    /// <summary>Grab attempts a user may make per window (shared by every account replica through Redis).</summary>
    [Range(1, 100_000)]
    public int RateLimitPermits { get; set; } = 5;

    [Range(1, 3600)]
    public int RateLimitWindowSeconds { get; set; } = 1;

    /// <summary>
    /// How often each replica re-reads the block list. A user blocked through another replica is
    /// refused by every replica within this bound (the replica that took the block: at once).
    /// </summary>
    [Range(1, 300)]
    public int UserCacheSeconds { get; set; } = 2;

    /// <summary>How often each replica re-reads the admission (shed) ratio the operator set in Redis.</summary>
    [Range(100, 60_000)]
    public int AdmissionRefreshMilliseconds { get; set; } = 1000;
}
