using ElasticRedPacket.Monitor.Features.Campaigns;

namespace ElasticRedPacket.Monitor.Tests;

public sealed class SplitterTests
{
    [Theory]
    [InlineData(100, 1)]
    [InlineData(100, 100)]
    [InlineData(101, 100)]
    [InlineData(10_000, 7)]
    [InlineData(1_000_000, 1000)]
    [InlineData(100_000_000, 1)]
    [InlineData(10_000_000_000, 100)]
    public void Split_AnyValidTotal_SumsExactlyWithEveryPacketInBounds(long total, int count)
    {
        var amounts = DoubleMeanSplitter.Split(total, count, new Random(42));
        Assert.Equal(count, amounts.Length);
        Assert.Equal(total, amounts.Sum(a => (long)a));
        Assert.All(amounts, a => Assert.InRange(a, 1, DoubleMeanSplitter.MaxPacketCents));
    }

    [Fact]
    public void Split_TotalEqualsCount_GivesOneCentEach()
    {
        var amounts = DoubleMeanSplitter.Split(500, 500, new Random(1));
        Assert.All(amounts, a => Assert.Equal(1, a));
    }

    [Fact]
    public void Split_SameSeed_SameAmounts()
    {
        Assert.Equal(DoubleMeanSplitter.Split(12_345, 67, new Random(7)), DoubleMeanSplitter.Split(12_345, 67, new Random(7)));
        Assert.NotEqual(DoubleMeanSplitter.Split(12_345, 67, new Random(7)), DoubleMeanSplitter.Split(12_345, 67, new Random(8)));
    }

    [Fact]
    public void Split_EachDraw_StaysWithinTwiceTheRemainingMean()
    {
        var random = new Random(3);
        for (var campaign = 0; campaign < 200; campaign++)
        {
            var total = random.NextInt64(1000, 1_000_000);
            var count = random.Next(1, 1000);
            var amounts = DoubleMeanSplitter.Split(total, count, new Random(campaign));
            var remaining = total;
            for (var i = 0; i < count - 1; i++)
            {
                Assert.InRange(amounts[i], 1, 2 * remaining / (count - i));
                remaining -= amounts[i];
            }
            Assert.Equal(remaining, amounts[^1]);
        }
    }

    [Fact]
    public void Split_ManyCampaigns_MeanPerPositionIsTheOverallMeanAndAmountsVary()
    {
        // Double mean is fair: in expectation every position gets total/count; amounts are spread
        // (not all equal) and bounded by twice the mean for the early draws.
        const int campaigns = 4000, count = 10;
        const long total = 10_000;
        var sums = new double[count];
        var distinct = new HashSet<int>();
        var random = new Random(2026);
        for (var c = 0; c < campaigns; c++)
        {
            var amounts = DoubleMeanSplitter.Split(total, count, random);
            for (var i = 0; i < count; i++)
            {
                sums[i] += amounts[i];
                distinct.Add(amounts[i]);
            }
        }
        var mean = (double)total / count;
        for (var i = 0; i < count; i++)
        {
            Assert.InRange(sums[i] / campaigns, mean * 0.95, mean * 1.05);
        }
        Assert.True(distinct.Count > 500, $"only {distinct.Count} distinct amounts");
    }

    [Theory]
    [InlineData(99, 100)]
    [InlineData(0, 1)]
    [InlineData(100_000_001, 1)]
    public void Split_ImpossibleTotal_Throws(long total, int count) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DoubleMeanSplitter.Split(total, count, new Random(1)));
}
