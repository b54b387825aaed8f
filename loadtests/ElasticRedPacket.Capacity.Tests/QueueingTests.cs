using ElasticRedPacket.Capacity.Model;

namespace ElasticRedPacket.Capacity.Tests;

/// <summary>The M/M/c formulas against textbook values.</summary>
public sealed class QueueingTests
{
    [Fact]
    public void ErlangC_SingleServer_IsUtilisation() => Assert.Equal(0.7, Queueing.ErlangC(1, 0.7), 12);

    [Fact]
    public void ErlangC_TwoServersHalfLoaded_IsOneThird() => Assert.Equal(1.0 / 3, Queueing.ErlangC(2, 1.0), 12);

    [Fact]
    public void ErlangC_FiveServersLoadFour_MatchesTables() => Assert.Equal(0.5541, Queueing.ErlangC(5, 4.0), 4);

    [Fact]
    public void MeanWait_MM1_IsRhoOverMuMinusLambda()
    {
        // M/M/1, lambda 8/s, mu 10/s: Wq = rho / (mu - lambda) = 0.8 / 2 = 0.4 s
        Assert.Equal(0.4, Queueing.MeanWait(1, 8, 10), 12);
    }

    [Fact]
    public void MeanWait_MM2_IsLqOverLambda()
    {
        // M/M/2, lambda 1, mu 1: Lq = 1/3, Wq = Lq / lambda = 1/3 s
        Assert.Equal(1.0 / 3, Queueing.MeanWait(2, 1, 1), 12);
    }

    [Fact]
    public void WaitQuantile_MM1_MatchesTheExponentialTail()
    {
        // P(W > t) = rho e^{-(mu - lambda) t}: the 99th percentile is ln(rho / 0.01) / (mu - lambda)
        Assert.Equal(Math.Log(0.8 / 0.01) / 2, Queueing.WaitQuantile(1, 8, 10, 0.99), 12);
    }

    [Fact]
    public void WaitQuantile_RarelyWaiting_IsZero() => Assert.Equal(0, Queueing.WaitQuantile(10, 1, 1, 0.99));

    [Fact]
    public void WaitQuantile_Overloaded_IsInfinite() => Assert.True(double.IsPositiveInfinity(Queueing.WaitQuantile(2, 30, 10, 0.99)));

    [Fact]
    public void Mm1ResponseQuantile_Median_IsLn2OverMuMinusLambda() =>
        Assert.Equal(Math.Log(2) / 5, Queueing.Mm1ResponseQuantile(5, 10, 0.5), 12);
}
