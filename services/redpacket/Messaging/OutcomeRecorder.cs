using System.Collections.Concurrent;
using ElasticRedPacket.ServiceDefaults.Messaging;

namespace ElasticRedPacket.RedPacket.Messaging;

/// <summary>
/// Outcome counts per campaign, incremented in memory (Interlocked) on every answer and drained by
/// <see cref="OutcomePublisher"/>. Campaign 0 holds answers to requests that named no valid campaign.
/// </summary>
public sealed class OutcomeRecorder
{
    private static readonly int OutcomeCount = GrabOutcomes.All.Count;
    private readonly ConcurrentDictionary<long, long[]> _counts = new();

    public void Record(long campaignId, GrabOutcome outcome)
    {
        var counts = _counts.GetOrAdd(campaignId, static _ => new long[OutcomeCount]);
        Interlocked.Increment(ref counts[(int)outcome]);
    }

    /// <summary>Takes every count accumulated so far (atomically per counter).</summary>
    public List<OutcomeCount> Drain()
    {
        var result = new List<OutcomeCount>();
        foreach (var (campaignId, counts) in _counts)
        {
            for (var i = 0; i < counts.Length; i++)
            {
                var count = Interlocked.Exchange(ref counts[i], 0);
                if (count > 0)
                {
                    result.Add(new OutcomeCount(campaignId, ((GrabOutcome)i).Name(), count));
                }
            }
        }
        return result;
    }
}
