using ElasticRedPacket.LoadTests.Metrics;

namespace ElasticRedPacket.LoadTests.Tests;

public sealed class MachineLoadTests
{
    [Fact]
    public void Parse_ProcStatCpuLine_SplitsBusyIdleAndStolen()
    {
        // user nice system idle iowait irq softirq steal guest guest_nice
        var ticks = CpuTicks.Parse("cpu  4188328 39951 1452401 5031140 37474 0 343032 13812 0 0");

        Assert.Equal(new CpuTicks(4188328 + 39951 + 1452401 + 343032, 5031140 + 37474, 13812), ticks);
    }

    [Theory]
    [InlineData("cpu0 10 0 10 80 0 0 0 0 0 0")]
    [InlineData("cpu 10 0 10")]
    [InlineData("cpu 10 0 x 80 0 0 0 0 0 0")]
    [InlineData("")]
    public void Parse_NotTheMachineLine_Null(string line) => Assert.Null(CpuTicks.Parse(line));

    [Fact]
    public void From_Samples_AverageBusiestSecondAndStolenInCores()
    {
        // Two cores, three seconds of 200 ticks each: 100, 190 and 40 busy; 10 ticks stolen in the first.
        CpuTicks[] samples =
        [
            new(1000, 1000, 0),
            new(1100, 1090, 10),
            new(1290, 1100, 10),
            new(1330, 1260, 10),
        ];

        var machine = MachineReport.From(samples, cores: 2);

        Assert.NotNull(machine);
        Assert.Equal(2, machine.Cores);
        Assert.Equal(1.1, machine.BusyCores);            // 330 of 600 ticks
        Assert.Equal(1.9, machine.BusiestSecondCores);   // 190 of 200
        Assert.Equal(0.03, machine.StolenCores);         // 10 of 600
        Assert.Contains("1.90 in the busiest second", machine.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void From_FewerThanTwoSamples_Null()
    {
        Assert.Null(MachineReport.From([], 2));
        Assert.Null(MachineReport.From([new CpuTicks(1, 1, 0)], 2));
    }
}
