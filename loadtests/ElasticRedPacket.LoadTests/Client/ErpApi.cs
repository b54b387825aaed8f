namespace ElasticRedPacket.LoadTests.Client;

/// <summary>
/// Every path, header and JSON field name the harness uses of the services' public APIs, in one
/// place (docs/contracts.md). If a service names something differently, this file is the one to change.
/// </summary>
public static class ErpApi
{
    public const string LoginPath = "/api/accounts/login";
    public const string BulkUsersPath = "/api/accounts/users/bulk";
    public const string GrabPath = "/api/grab";
    public const string CampaignsPath = "/api/campaigns";
    public const string TrivialPath = "/_stack/webpage/healthz";

    public const string OperatorKeyHeader = "X-Operator-Key";

    public static string CampaignPath(long id) => CampaignsPath + "/" + id.ToString(CultureInfo.InvariantCulture);

    public static string ClaimsPath(long id, int page, int pageSize) =>
        string.Create(CultureInfo.InvariantCulture, $"{CampaignsPath}/{id}/claims?page={page}&pageSize={pageSize}");

    // Request bodies.
    public static object LoginBody(long userId) => new { userId };

    /// <summary>Users per bulk request (larger sets go in several requests).</summary>
    public const int BulkUsersChunk = 10_000;

    public static object BulkUsersBody(long fromId, int count, string displayNamePrefix) => new { firstId = fromId, count, namePrefix = displayNamePrefix };

    public static object CampaignBody(CampaignSpec spec) => new
    {
        name = spec.Name,
        totalCents = spec.TotalCents,
        packetCount = spec.PacketCount,
        batchCount = spec.BatchCount,
        intervalSeconds = spec.IntervalSeconds,
        startsAt = spec.StartsAt,
    };

    public static byte[] GrabBody(long campaignId) => System.Text.Encoding.UTF8.GetBytes(
        string.Create(CultureInfo.InvariantCulture, $"{{\"campaignId\":{campaignId}}}"));

    // Response field names.
    public const string TokenField = "token";
    public const string IdField = "id";
    public const string OutcomeField = "outcome";
    public const string AmountCentsField = "amountCents";
    public const string PacketCountField = "packetCount";
    public const string ReleasedField = "released";
    public const string ClaimedField = "claimed";
    public const string InQueueField = "inQueue";
    public const string AmountClaimedField = "amountClaimedCents";
    public const string OutcomesField = "outcomes";
    public const string PacketIdField = "packetId";
    public const string UserIdField = "userId";
}

/// <summary>A campaign the harness issues through monitor.</summary>
public sealed record CampaignSpec(string Name, long TotalCents, int PacketCount, int BatchCount, int IntervalSeconds, DateTimeOffset? StartsAt);
