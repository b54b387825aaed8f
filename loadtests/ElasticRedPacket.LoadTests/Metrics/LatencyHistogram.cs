using System.Numerics;

namespace ElasticRedPacket.LoadTests.Metrics;

/// <summary>
/// A log-linear (HdrHistogram-style) latency histogram: fixed memory (about 23 KB), lock-free
/// recording from any thread (one Interlocked.Increment), values in units of 100 ns. Each power
/// of two holds 128 linear sub-buckets, so a bucket is at most 1/128 of its value wide and the
/// reported value (the bucket's midpoint) is within 0.4% of every value recorded in it, from
/// 12.8 us up to <see cref="MaxTrackable"/> (60 s; larger values are clamped and counted).
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>Recording unit: 100 ns (one .NET tick).</summary>
    public const long TicksPerUnit = 1;

    public static readonly TimeSpan MaxTrackable = TimeSpan.FromSeconds(60);

    private const int SubBucketHalfCountMagnitude = 7;
    private const int SubBucketHalfCount = 1 << SubBucketHalfCountMagnitude;   // 128
    private const long SubBucketMask = (2L * SubBucketHalfCount) - 1;          // 255
    private static readonly long MaxUnits = MaxTrackable.Ticks / TicksPerUnit;
    private static readonly int CountsLength = IndexOf(MaxUnits) + 1;

    private readonly long[] _counts = new long[CountsLength];
    private long _total;
    private long _sumUnits;
    private long _maxUnits;
    private long _minUnits = long.MaxValue;
    private long _clamped;

    public long TotalCount => Volatile.Read(ref _total);

    /// <summary>Values above 60 s, recorded as 60 s (the exact maximum is still kept).</summary>
    public long ClampedCount => Volatile.Read(ref _clamped);

    public TimeSpan Max => TimeSpan.FromTicks(TotalCount == 0 ? 0 : Volatile.Read(ref _maxUnits) * TicksPerUnit);

    public TimeSpan Min => TimeSpan.FromTicks(TotalCount == 0 ? 0 : Volatile.Read(ref _minUnits) * TicksPerUnit);

    public TimeSpan Mean => TotalCount == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Volatile.Read(ref _sumUnits) / TotalCount * TicksPerUnit);

    public static int BucketCount => CountsLength;

    public void Record(TimeSpan value) => RecordUnits(Math.Max(0, value.Ticks / TicksPerUnit));

    public void RecordUnits(long units)
    {
        units = Math.Max(0, units);
        var exact = units;
        if (units > MaxUnits)
        {
            Interlocked.Increment(ref _clamped);
            units = MaxUnits;
        }
        Interlocked.Increment(ref _counts[IndexOf(units)]);
        Interlocked.Add(ref _sumUnits, exact);
        Interlocked.Increment(ref _total);
        UpdateMax(exact);
        UpdateMin(exact);
    }

    /// <summary>Adds another histogram's counts (used to merge per-outcome or per-second histograms).</summary>
    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            var count = Volatile.Read(ref other._counts[i]);
            if (count != 0)
            {
                Interlocked.Add(ref _counts[i], count);
            }
        }
        Interlocked.Add(ref _total, other.TotalCount);
        Interlocked.Add(ref _sumUnits, Volatile.Read(ref other._sumUnits));
        Interlocked.Add(ref _clamped, other.ClampedCount);
        if (other.TotalCount > 0)
        {
            UpdateMax(Volatile.Read(ref other._maxUnits));
            UpdateMin(Volatile.Read(ref other._minUnits));
        }
    }

    /// <summary>The value at quantile q (0..1): the midpoint of the bucket holding the ceil(q*n)-th value, capped at the maximum.</summary>
    public TimeSpan ValueAtQuantile(double q)
    {
        var total = TotalCount;
        if (total == 0)
        {
            return TimeSpan.Zero;
        }
        if (q >= 1)
        {
            return Max;
        }
        var rank = Math.Max(1, (long)Math.Ceiling(Math.Clamp(q, 0, 1) * total));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank)
            {
                var value = Math.Min(MedianEquivalent(i), Volatile.Read(ref _maxUnits));
                return TimeSpan.FromTicks(Math.Max(value, Volatile.Read(ref _minUnits)) * TicksPerUnit);
            }
        }
        return Max;
    }

    public LatencySummary Summarize() => new(
        TotalCount,
        Ms(ValueAtQuantile(0.50)), Ms(ValueAtQuantile(0.75)), Ms(ValueAtQuantile(0.95)), Ms(ValueAtQuantile(0.99)),
        Ms(ValueAtQuantile(0.999)), Ms(Max), Ms(Mean));

    private static double Ms(TimeSpan value) => Math.Round(value.TotalMilliseconds, 3);

    internal static int IndexOf(long units)
    {
        var bucket = 63 - BitOperations.LeadingZeroCount((ulong)(units | SubBucketMask)) - SubBucketHalfCountMagnitude;
        var subBucket = (int)(units >> bucket);
        return ((bucket + 1) << SubBucketHalfCountMagnitude) + subBucket - SubBucketHalfCount;
    }

    internal static long MedianEquivalent(int index)
    {
        var bucket = (index >> SubBucketHalfCountMagnitude) - 1;
        long subBucket = (index & (SubBucketHalfCount - 1)) + SubBucketHalfCount;
        if (bucket < 0)
        {
            subBucket -= SubBucketHalfCount;
            bucket = 0;
        }
        var lowest = subBucket << bucket;
        return lowest + ((1L << bucket) >> 1);
    }

    private void UpdateMax(long value)
    {
        var current = Volatile.Read(ref _maxUnits);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref _maxUnits, value, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }

    private void UpdateMin(long value)
    {
        var current = Volatile.Read(ref _minUnits);
        while (value < current)
        {
            var seen = Interlocked.CompareExchange(ref _minUnits, value, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }
}

/// <summary>Latency percentiles in milliseconds.</summary>
public sealed record LatencySummary(long Count, double P50, double P75, double P95, double P99, double P999, double Max, double Mean);
