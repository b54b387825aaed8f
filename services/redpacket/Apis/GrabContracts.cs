using System.Text.Json;
using System.Text.Json.Serialization;

namespace ElasticRedPacket.RedPacket.Apis;

public sealed record GrabRequest(long CampaignId);

/// <summary>
/// One grab's answer. outcome: won | already_won | sold_out | not_started | try_again | rate_limited |
/// unauthorized | shed. verifiedBy: account, or local when account was down and the operator allowed it.
/// </summary>
public sealed record GrabResponse(
    string Outcome,
    long CampaignId,
    long? PacketId = null,
    int? AmountCents = null,
    DateTimeOffset? StartsAt = null,
    DateTimeOffset? NextReleaseAt = null,
    int? RetryAfterSeconds = null,
    string? VerifiedBy = null,
    string? Reason = null);

public sealed record ClaimResponse(long CampaignId, long PacketId, long UserId, int AmountCents, DateTimeOffset ClaimedAt);

public sealed record VerifyRequest(string Token, long CampaignId);

public sealed record VerifyResponse(string? Decision, long UserId, int RetryAfterSeconds);

public sealed record VerifyBatchRequest(IReadOnlyList<VerifyRequest> Items);

public sealed record VerifyBatchResponse(IReadOnlyList<VerifyResponse>? Results);

// Strict numbers: "7" is not a campaign id.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(GrabRequest))]
[JsonSerializable(typeof(GrabResponse))]
[JsonSerializable(typeof(ClaimResponse))]
[JsonSerializable(typeof(VerifyRequest))]
[JsonSerializable(typeof(VerifyResponse))]
[JsonSerializable(typeof(VerifyBatchRequest))]
[JsonSerializable(typeof(VerifyBatchResponse))]
public sealed partial class GrabJsonContext : JsonSerializerContext;
