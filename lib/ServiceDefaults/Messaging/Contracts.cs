using System.Text.Json;
using System.Text.Json.Serialization;

namespace ElasticRedPacket.ServiceDefaults.Messaging;

/// <summary>
/// A packet is a message in its campaign's queue (Topology.PacketQueue). Published by monitor when
/// its batch is released (persistent, confirmed; MessageId = packet id), consumed by redpacket.
/// </summary>
public sealed record PacketMessage(long PacketId, long CampaignId, int AmountCents);

/// <summary>
/// The closed set of grab outcomes. Wire names are the snake_case strings in <see cref="GrabOutcomes"/>;
/// HTTP statuses are documented in docs/api.md.
/// </summary>
public enum GrabOutcome
{
    Won,
    AlreadyWon,
    SoldOut,
    NotStarted,
    TryAgain,
    RateLimited,
    Unauthorized,
    Shed,
    Invalid,
}

public static class GrabOutcomes
{
    private static readonly string[] Names = ["won", "already_won", "sold_out", "not_started", "try_again", "rate_limited", "unauthorized", "shed", "invalid"];

    public static IReadOnlyList<string> All => Names;

    public static string Name(this GrabOutcome outcome) => Names[(int)outcome];

    public static bool TryParse(string name, out GrabOutcome outcome)
    {
        var index = Array.IndexOf(Names, name);
        outcome = (GrabOutcome)Math.Max(index, 0);
        return index >= 0;
    }
}

/// <summary>
/// redpacket counts outcomes per campaign in memory and publishes the counts every flush interval
/// as one message to Topology.OutcomeExchange (persistent, confirmed; MessageId = BatchId). monitor
/// adds them to its totals in the same transaction that records BatchId, so a redelivered batch is
/// counted once. Counts that fail to publish stay in memory and go with the next batch.
/// </summary>
public sealed record OutcomeBatch(Guid BatchId, string Source, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<OutcomeCount> Counts);

public sealed record OutcomeCount(long CampaignId, string Outcome, long Count);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PacketMessage))]
[JsonSerializable(typeof(OutcomeBatch))]
public sealed partial class MessagingJsonContext : JsonSerializerContext;
