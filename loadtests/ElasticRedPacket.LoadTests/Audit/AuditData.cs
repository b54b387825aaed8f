using ElasticRedPacket.LoadTests.Client;

namespace ElasticRedPacket.LoadTests.Audit;

/// <summary>One ledger row: a packet claimed by a user.</summary>
public sealed record LedgerClaim(long PacketId, long UserId, long AmountCents);

/// <summary>One packet of the campaign (amount as split at issue time; expired once the campaign closed unclaimed).</summary>
public sealed record LedgerPacket(long PacketId, long AmountCents, bool Expired);

/// <summary>
/// The packets a campaign's queue still owns: <see cref="Ready"/> waiting, and <see cref="Unacked"/>
/// delivered into a redpacket consumer's prefetch buffer but not acked (a claim acks only after its
/// row is durable; a consumer that goes away returns them). Unacked is null when the source sees only
/// the ready count (an AMQP passive declare, or monitor's figure).
/// </summary>
public sealed record QueueDepth(long Ready, long? Unacked, string Source)
{
    public long InQueue => Ready + (Unacked ?? 0);
}

/// <summary>
/// The campaign as the arbiter sees it. <see cref="Packets"/> is null when read through monitor's
/// API (no packet table there). <see cref="Queue"/> is the packets still owned by RabbitMQ.
/// </summary>
public sealed record CampaignLedger(
    long CampaignId, long TotalCents, long PacketCount, IReadOnlyList<LedgerClaim> Claims, IReadOnlyList<LedgerPacket>? Packets,
    long Released, QueueDepth Queue, long Expired, string Source);

/// <summary>
/// What the harness itself counted for the campaign over the whole run (warm-up included).
/// <see cref="CutOff"/>: requests an outside fault may have cut off after the system decided them
/// (--audit-cut-off, e.g. those in flight at a kill -9), on top of the requests that got no answer.
/// </summary>
public sealed record HarnessCounts(IReadOnlyDictionary<string, long> Outcomes, long WonCents, long CutOff = 0);

/// <summary>Everything the audit checks, as plain data (the readers that fill it are separate).</summary>
public sealed record AuditInput(CampaignLedger Ledger, MonitorView? Monitor, HarnessCounts Harness);

public sealed record AuditCheck(string Name, bool Passed, string Detail);

public sealed record AuditReport(long CampaignId, string Source, IReadOnlyList<AuditCheck> Checks)
{
    public bool Passed => Checks.All(c => c.Passed);
}
