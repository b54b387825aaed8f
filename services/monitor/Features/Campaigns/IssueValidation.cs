namespace ElasticRedPacket.Monitor.Features.Campaigns;

/// <summary>The bounds of an issue request; every broken rule is reported at once, keyed by field.</summary>
public static class IssueValidation
{
    public const int MaxNameLength = 100;
    public const int MaxPacketCount = 1_000_000;
    public const long MaxTotalCents = 10_000_000_000;
    public const int MaxBatchCount = 10_000;
    public const int MaxIntervalSeconds = 86_400;
    public static readonly TimeSpan MaxPastStart = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxFutureStart = TimeSpan.FromDays(366);

    public static Dictionary<string, string[]> Validate(IssueCampaignRequest request, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            errors["name"] = [$"Name is required: 1 to {MaxNameLength} characters, no control characters."];
        }
        if (request.PacketCount is < 1 or > MaxPacketCount)
        {
            errors["packetCount"] = [$"Packet count must be between 1 and {MaxPacketCount}."];
        }
        if (request.TotalCents is < 1 or > MaxTotalCents)
        {
            errors["totalCents"] = [$"Total must be between 1 and {MaxTotalCents} cents."];
        }
        else if (request.PacketCount >= 1 && request.TotalCents < request.PacketCount)
        {
            errors["totalCents"] = ["Every packet needs at least 1 cent: totalCents must be >= packetCount."];
        }
        else if (request.PacketCount >= 1 && !DoubleMeanSplitter.CanSplit(request.TotalCents, request.PacketCount))
        {
            errors["totalCents"] = [$"A packet may hold at most {DoubleMeanSplitter.MaxPacketCents} cents: totalCents must be <= packetCount x {DoubleMeanSplitter.MaxPacketCents}."];
        }
        if (request.BatchCount is < 1 or > MaxBatchCount)
        {
            errors["batchCount"] = [$"Batch count must be between 1 and {MaxBatchCount}."];
        }
        else if (request.PacketCount >= 1 && request.BatchCount > request.PacketCount)
        {
            errors["batchCount"] = ["Batch count must not exceed packet count."];
        }
        if (request.IntervalSeconds is < 0 or > MaxIntervalSeconds)
        {
            errors["intervalSeconds"] = [$"Interval must be between 0 and {MaxIntervalSeconds} seconds."];
        }
        if (request.StartsAt is { } start && (start < now - MaxPastStart || start > now + MaxFutureStart))
        {
            errors["startsAt"] = ["Start must be at most 5 minutes in the past and at most 366 days ahead."];
        }
        return errors;
    }
}
