namespace ElasticRedPacket.Monitor.Features.Campaigns;

/// <summary>What an operator sends to issue a campaign. StartsAt null: the first batch is due now.</summary>
public sealed record IssueCampaignRequest(string? Name, long TotalCents, int PacketCount, int BatchCount, int IntervalSeconds, DateTimeOffset? StartsAt);

public sealed record CampaignIssued(long Id, string Name, long TotalCents, int PacketCount, int BatchCount, int IntervalSeconds, DateTimeOffset StartsAt, string Queue);

/// <summary>
/// A campaign as operators see it. Released = Claimed + InQueue (+ Expired once closed, + packets
/// redpacket holds unacked while it grabs); Cancelled packets were never released (closed early).
/// InQueue is null when RabbitMQ could not be asked.
/// </summary>
public sealed record CampaignView(
    long Id,
    string Name,
    string Status,
    long TotalCents,
    int PacketCount,
    int BatchCount,
    int IntervalSeconds,
    DateTimeOffset StartsAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ClosedAt,
    long Released,
    int BatchesReleased,
    long Claimed,
    long AmountClaimedCents,
    long Expired,
    long Cancelled,
    long? InQueue,
    DateTimeOffset? NextReleaseAt,
    IReadOnlyDictionary<string, long> Outcomes);

/// <summary>The slim public view the grab page polls.</summary>
public sealed record ActiveCampaign(long Id, string Name, string Status, int PacketCount, long Remaining, DateTimeOffset StartsAt, DateTimeOffset? NextReleaseAt, DateTimeOffset ServerTime);

public sealed record ClaimView(long PacketId, long UserId, int AmountCents, DateTimeOffset ClaimedAt);

public sealed record ClaimsPage(long CampaignId, int Page, int PageSize, long Total, IReadOnlyList<ClaimView> Items);

/// <summary>Unsettled: released packets neither claimed nor expired yet (0 when the close balanced; otherwise close again).</summary>
public sealed record CampaignClosed(long Id, string Status, long Released, long Claimed, long Expired, long Cancelled, long Drained, long Unsettled);
