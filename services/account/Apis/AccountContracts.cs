namespace ElasticRedPacket.Account.Apis;

public sealed record LoginRequest(long UserId);

public sealed record LoginResponse(string Token, long UserId, string DisplayName, DateTimeOffset ExpiresAt);

public sealed record BulkCreateRequest(long FirstId, int Count, string? NamePrefix);

public sealed record BulkCreateResponse(long FirstId, int Count, int Created);

public sealed record UserStatusResponse(long UserId, string Status);

public sealed record AdmissionRequest(double ShedRatio);

public sealed record AdmissionResponse(double ShedRatio);

public sealed record VerifyRequest(string? Token, long CampaignId);

/// <summary>decision: allowed | unauthorized | rate_limited | shed (docs/contracts.md).</summary>
public sealed record VerifyResponse(string Decision, long UserId, int RetryAfterSeconds);

/// <summary>Many grab attempts in one call (redpacket groups the grabs that arrive while a call is in flight).</summary>
public sealed record VerifyBatchRequest(IReadOnlyList<VerifyRequest?>? Items);

/// <summary>One result per item, in the order of the request.</summary>
public sealed record VerifyBatchResponse(IReadOnlyList<VerifyResponse> Results);
