using ElasticRedPacket.LoadTests.Metrics;

namespace ElasticRedPacket.LoadTests.Tests;

public sealed class HistogramTests
{
    private static readonly double[] Quantiles = [0.5, 0.75, 0.9, 0.95, 0.99, 0.999];

    [Fact]
    public void ValueAtQuantile_UniformDistribution_WithinOnePercentOfExact()
    {
        var random = new Random(42);
        var values = Enumerable.Range(0, 200_000).Select(_ => TimeSpan.FromMilliseconds(0.1 + (random.NextDouble() * 999.9))).ToArray();
        AssertQuantilesMatch(values);
    }

    [Fact]
    public void ValueAtQuantile_ExponentialDistribution_WithinOnePercentOfExact()
    {
        var random = new Random(7);
        // 100 us floor plus an exponential tail with a 5 ms mean: the shape of real latencies.
        var values = Enumerable.Range(0, 200_000).Select(_ => TimeSpan.FromMilliseconds(0.1 - (5 * Math.Log(1 - random.NextDouble())))).ToArray();
        AssertQuantilesMatch(values);
    }

    [Fact]
    public void Record_EveryValueFrom100MicrosecondsTo60Seconds_ReadsBackWithinOnePercent()
    {
        for (var us = 100.0; us <= 60_000_000; us *= 1.037)
        {
            var histogram = new LatencyHistogram();
            histogram.Record(TimeSpan.FromTicks((long)(us * 10)));
            // A lone value is also the max, so read a bucket midpoint through a second, larger value.
            histogram.Record(TimeSpan.FromSeconds(61));
            var read = histogram.ValueAtQuantile(0.5).TotalMicroseconds;
            Assert.True(Math.Abs(read - us) / us <= 0.01, $"{us} us read back as {read} us");
        }
    }

    [Fact]
    public void Record_AboveSixtySeconds_IsClampedButMaxIsExact()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(TimeSpan.FromSeconds(90));
        Assert.Equal(1, histogram.ClampedCount);
        Assert.Equal(TimeSpan.FromSeconds(90), histogram.Max);
    }

    [Fact]
    public void Add_TwoHistograms_EqualsRecordingIntoOne()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        var both = new LatencyHistogram();
        for (var i = 1; i <= 1000; i++)
        {
            var value = TimeSpan.FromMicroseconds(i * 37);
            (i % 2 == 0 ? a : b).Record(value);
            both.Record(value);
        }
        a.Add(b);
        Assert.Equal(both.TotalCount, a.TotalCount);
        Assert.Equal(both.Max, a.Max);
        Assert.Equal(both.Min, a.Min);
        foreach (var q in Quantiles)
        {
            Assert.Equal(both.ValueAtQuantile(q), a.ValueAtQuantile(q));
        }
    }

    [Fact]
    public void Record_FromManyThreads_LosesNoCount()
    {
        var histogram = new LatencyHistogram();
        Parallel.For(0, 8, t =>
        {
            for (var i = 0; i < 50_000; i++)
            {
                histogram.Record(TimeSpan.FromMicroseconds(100 + i));
            }
        });
        Assert.Equal(400_000, histogram.TotalCount);
    }

    [Fact]
    public void BucketCount_IsFixed_SmallMemory()
    {
        Assert.InRange(LatencyHistogram.BucketCount, 2000, 4000);
    }

    private static void AssertQuantilesMatch(TimeSpan[] values)
    {
        var histogram = new LatencyHistogram();
        foreach (var value in values)
        {
            histogram.Record(value);
        }
        var sorted = values.Select(v => v.TotalMilliseconds).Order().ToArray();
        foreach (var q in Quantiles)
        {
            var exact = sorted[(int)Math.Ceiling(q * sorted.Length) - 1];
            var measured = histogram.ValueAtQuantile(q).TotalMilliseconds;
            Assert.True(Math.Abs(measured - exact) / exact <= 0.01, $"p{q * 100}: histogram {measured} ms, exact {exact} ms");
        }
        Assert.Equal(sorted[^1], histogram.Max.TotalMilliseconds, 3);
    }
}
