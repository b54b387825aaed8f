using Dapper;
using ElasticRedPacket.ServiceDefaults.Messaging;

namespace ElasticRedPacket.TestSupport;

/// <summary>
/// Guarantee 5 for a <see cref="GrabLoad"/>: monitor's outcome counts (outcome_counts, written by its
/// consumer) hold every answer a client heard. A count beyond what was heard can only be an answer
/// decided for a request that never came back to its client, so the excess is bounded by the
/// requests in flight when a fault cut them off.
/// </summary>
public static class OutcomeCountGuarantees
{
    public static async Task AssertEveryAnswerCountedAsync(CampaignSeeder seeder, long campaignId, GrabLoad load, int cutOff, Xunit.Abstractions.ITestOutputHelper output)
    {
        var heard = load.Events.Select(e => HeardOutcome(e.Kind)).OfType<string>()
            .GroupBy(o => o).ToDictionary(g => g.Key, g => (long)g.Count());
        var counted = await SettledCountsAsync(seeder, campaignId, heard.Values.Sum());
        output.WriteLine($"heard {Describe(heard)}; monitor counted {Describe(counted)}");
        foreach (var (outcome, count) in heard)
        {
            Assert.True(counted.GetValueOrDefault(outcome) >= count,
                $"monitor counted {counted.GetValueOrDefault(outcome)} {outcome}, clients heard {count}: heard answers lost their count ({Describe(counted)})");
        }
        // A request that got no answer may have been decided and counted.
        var unanswered = load.Events.Count(e => HeardOutcome(e.Kind) is null);
        var excess = counted.Values.Sum() - heard.Values.Sum();
        Assert.True(excess <= cutOff + unanswered, $"monitor counted {excess} answers nobody heard; {unanswered} requests got no answer and at most {cutOff} more were cut off");
    }

    /// <summary>The outcome of an answer, also of a shed 503 ("503 shed draining"); null when no answer came back (or a gateway error).</summary>
    private static string? HeardOutcome(string kind)
    {
        var words = kind.Split(' ');
        var name = words.Length > 1 && int.TryParse(words[0], out _) ? words[1] : kind;
        return GrabOutcomes.TryParse(name, out _) ? name : null;
    }

    /// <summary>Waits (bounded) until monitor holds at least <paramref name="atLeast"/> counts and they stop changing.</summary>
    private static async Task<Dictionary<string, long>> SettledCountsAsync(CampaignSeeder seeder, long campaignId, long atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        Dictionary<string, long> last = [];
        var stableSince = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            await using var connection = await seeder.Database.OpenConnectionAsync();
            var now = (await connection.QueryAsync<(string Outcome, long Count)>(
                "SELECT outcome, count FROM outcome_counts WHERE campaign_id = @campaignId AND outcome <> 'won'", new { campaignId })).ToDictionary(r => r.Outcome, r => r.Count);
            // Monitor's won is the ledger's count (its campaign view); the won events are not waited for.
            now["won"] = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM claims WHERE campaign_id = @campaignId", new { campaignId });
            if (now.Values.Sum() != last.Values.Sum())
            {
                (last, stableSince) = (now, DateTime.UtcNow);
            }
            else if (last.Values.Sum() >= atLeast && DateTime.UtcNow - stableSince > TimeSpan.FromSeconds(2))
            {
                break;
            }
            await Task.Delay(200);
        }
        return last;
    }

    private static string Describe(Dictionary<string, long> counts) =>
        string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}"));
}
