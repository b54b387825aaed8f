using ElasticRedPacket.Capacity.Model;

namespace ElasticRedPacket.Capacity.Tests;

public sealed class TrafficProfileTests
{
    [Fact]
    public void HolidaySpike_HarnessShape_FiveTimesStepWithinOneSecond()
    {
        var profile = TrafficProfile.HolidaySpike(10_000, null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));

        Assert.Equal(16, profile.Rates.Count);
        Assert.All(profile.Rates.Take(10), r => Assert.Equal(2000, r, 6));
        Assert.Equal(6000, profile.Rates[10], 6); // the one-second ramp, averaged
        Assert.All(profile.Rates.Skip(11), r => Assert.Equal(10_000, r, 6));
        Assert.Equal(10, profile.SpikeStart);
    }

    [Fact]
    public void FromSpec_HarnessPhaseSyntax_IntegratesRamps()
    {
        var profile = TrafficProfile.FromSpec("inject:100:2s,ramp:100:300:2s,pause:1s,inject:50:500ms");

        Assert.Equal([100, 100, 150, 250, 0, 25], profile.Rates.Select(r => Math.Round(r, 6)));
        Assert.Equal(2, profile.SpikeStart);
    }

    [Fact]
    public void FromCsv_HoldsTheLastRateBetweenPoints()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "second,rate\n0,10\n3,40\n5,0\n");
        try
        {
            Assert.Equal([10, 10, 10, 40, 40, 0], TrafficProfile.FromCsv(path).Rates);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
