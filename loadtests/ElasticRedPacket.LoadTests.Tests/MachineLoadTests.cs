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

    [Fact]
    public void MachineSecond_SamplesAroundTheMeasuredRun_EachIntervalToTheSecondOfItsMidpoint()
    {
        var f = Stopwatch.Frequency;
        const long start = 1_000_000_000;
        (long, CpuTicks)[] samples =
        [
            (start - f, new(0, 0, 0)),                  // warm-up interval: left out
            (start, new(100, 100, 0)),
            (start + f, new(250, 140, 10)),             // second 0: 150 busy, 40 idle, 10 stolen of 200
            (start + (2 * f), new(270, 320, 10)),       // second 1: 20 busy of 200
            (start + (2 * f) + (f / 2), new(300, 320, 70)), // half a second later, midpoint in second 2: 30 busy, 60 stolen of 90
        ];

        var seconds = MachineSecond.From(samples, start, cores: 2);

        Assert.Equal([0, 1, 2], seconds.Keys.Order());
        Assert.Equal(new MachineSecond(1.5, 0.1), seconds[0]);
        Assert.Equal(new MachineSecond(0.2, 0), seconds[1]);
        Assert.Equal(new MachineSecond(0.67, 1.33), seconds[2]);
    }
}
