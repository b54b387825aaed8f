namespace ElasticRedPacket.Monitor.Features.Campaigns;

/// <summary>
/// Splits a total into packets by the random "double mean" method, in integer cents: each draw is
/// uniform in [1, 2 x remaining / remainingCount], the last packet gets the rest. Every packet gets at
/// least 1 cent and at most <see cref="MaxPacketCents"/> (so it fits the ledger's integer column),
/// and the amounts sum exactly to the total. Pure: the caller passes the Random (seeded in tests).
/// </summary>
public static class DoubleMeanSplitter
{
    /// <summary>The largest single packet: one million currency units, far below int.MaxValue.</summary>
    public const int MaxPacketCents = 100_000_000;

    /// <summary>True when <paramref name="totalCents"/> can be split into <paramref name="count"/> packets within the bounds.</summary>
    public static bool CanSplit(long totalCents, int count) =>
        count > 0 && totalCents >= count && totalCents <= (long)count * MaxPacketCents;

    public static int[] Split(long totalCents, int count, Random random)
    {
        if (!CanSplit(totalCents, count))
        {
            throw new ArgumentOutOfRangeException(nameof(totalCents), $"{totalCents} cents cannot be split into {count} packets of 1..{MaxPacketCents} cents");
        }
        var amounts = new int[count];
        var remaining = totalCents;
        for (var i = 0; i < count - 1; i++)
        {
            long left = count - i;
            // The double-mean bound, narrowed so that what stays can still give every later packet
            // at least 1 cent and at most MaxPacketCents.
            var high = Math.Min(Math.Min(2 * remaining / left, remaining - (left - 1)), MaxPacketCents);
            var low = Math.Max(1, remaining - ((left - 1) * MaxPacketCents));
            var amount = random.NextInt64(low, Math.Max(low, high) + 1);
            amounts[i] = (int)amount;
            remaining -= amount;
        }
        amounts[count - 1] = (int)remaining;
        return amounts;
    }
}
