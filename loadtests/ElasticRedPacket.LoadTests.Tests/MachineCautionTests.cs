using ElasticRedPacket.LoadTests.Report;

namespace ElasticRedPacket.LoadTests.Tests;

public sealed class MachineCautionTests
{
    private static SecondReport Second(int s, double? busy, double? stolen) =>
        new(s, 1000, 1000, 0, 0, 5, 10, 20, 30, new Dictionary<string, long>(), busy, stolen);

    [Fact]
    public void Describe_QuietMachine_NoCaution()
    {
        Assert.Null(MachineCaution.Describe([Second(0, 1.2, 0.0), Second(1, 1.89, 0.09)], cores: 2));
    }

    [Fact]
    public void Describe_NoMachineReadings_NoCaution()
    {
        Assert.Null(MachineCaution.Describe([Second(0, null, null)], cores: 2));
    }

    [Fact]
    public void Describe_StolenAndSaturatedSeconds_CountsEachAgainstTheMeasuredSeconds()
    {
        var caution = MachineCaution.Describe(
            [Second(0, 1.95, 0.0), Second(1, 1.5, 0.1), Second(2, 1.9, 0.67), Second(3, 1.0, 0.0), Second(4, null, null)], cores: 2);

        Assert.Equal(
            "caution: the hypervisor stole 0.10 cores or more in 2 of 4 measured seconds (up to 0.67); 1.90 or more of the 2 cores were busy in 2 of 4 seconds"
            + ": those seconds' latency measures the machine as much as the build (see the per-second busy and stolen cores)",
            caution);
    }

    [Fact]
    public void Describe_SaturatedOnly_SaysNothingOfTheHypervisor()
    {
        var caution = MachineCaution.Describe([Second(0, 3.9, 0.0), Second(1, 2.0, 0.0)], cores: 4);

        Assert.NotNull(caution);
        Assert.StartsWith("caution: 3.80 or more of the 4 cores were busy in 1 of 2 seconds", caution, StringComparison.Ordinal);
        Assert.DoesNotContain("hypervisor", caution, StringComparison.Ordinal);
    }
}
