using ElasticRedPacket.LoadTests.Cli;
using ElasticRedPacket.LoadTests.Metrics;
using ElasticRedPacket.LoadTests.Slo;

namespace ElasticRedPacket.LoadTests.Tests;

public sealed class SloTests
{
    [Theory]
    [InlineData("p99<50ms", "p99", null, SloOperator.Less, 50)]
    [InlineData("p99.9 <= 1.5s", "p99.9", null, SloOperator.LessOrEqual, 1500)]
    [InlineData("p95[won]<800us", "p95", "won", SloOperator.Less, 0.8)]
    [InlineData("error_rate<0.1%", "error_rate", null, SloOperator.Less, 0.001)]
    [InlineData("rps>=9500", "rps", null, SloOperator.GreaterOrEqual, 9500)]
    [InlineData("requests[won]>0", "requests", "won", SloOperator.Greater, 0)]
    public void Parse_ValidExpression_ReadsMetricOperatorAndThreshold(string text, string metric, string? outcome, SloOperator op, double threshold)
    {
        var rule = SloParser.Parse(text);
        Assert.Equal(metric, rule.Metric);
        Assert.Equal(outcome, rule.Outcome);
        Assert.Equal(op, rule.Operator);
        Assert.Equal(threshold, rule.Threshold, 9);
    }

    [Theory]
    [InlineData("p99<50")]           // latency without a unit
    [InlineData("p42<5ms")]          // unknown metric
    [InlineData("p99=5ms")]          // no such operator
    [InlineData("error_rate<lots")]
    [InlineData("rps[won]>5")]       // outcome on a metric that has none
    public void Parse_InvalidExpression_ThrowsUsageException(string text)
    {
        Assert.Throws<UsageException>(() => SloParser.Parse(text));
    }

    [Fact]
    public void ParseFile_ArrayAndObjectForms_BothRead()
    {
        var array = Path.GetTempFileName();
        var obj = Path.GetTempFileName();
        File.WriteAllText(array, """["p99<50ms", "error_rate<0.1%"]""");
        File.WriteAllText(obj, """{"slo": ["p99<50ms"]}""");
        Assert.Equal(2, SloParser.ParseFile(array).Count);
        Assert.Single(SloParser.ParseFile(obj));
        File.WriteAllText(obj, "{not json");
        Assert.Throws<UsageException>(() => SloParser.ParseFile(obj));
    }

    [Fact]
    public void Evaluate_RecordedRun_JudgesLatencyErrorsAndThroughput()
    {
        var outcomes = new OutcomeSet(["ok"]);
        var stats = new RunStats(outcomes);
        var start = Stopwatch.GetTimestamp();
        stats.StartMeasuring(start);
        // 990 answers at 10 ms, 10 at 100 ms; 2 of those are 503s.
        for (var i = 0; i < 1000; i++)
        {
            var latency = TimeSpan.FromMilliseconds(i < 990 ? 10 : 100);
            var sample = i >= 998 ? new Sample(0, 503, 0, 0) : new Sample(0, 200, 0, 0);
            stats.Record(sample, start, start + (long)(latency.TotalSeconds * Stopwatch.Frequency));
        }
        var rules = new[] { "p99<50ms", "p99.9<50ms", "error_rate<0.1%", "error_rate<0.5%", "rps>=500", "status_5xx<1", "requests[ok]>=1000" }.Select(SloParser.Parse);

        var results = SloEvaluator.Evaluate(rules, stats, TimeSpan.FromSeconds(2)).ToDictionary(r => r.Expression, r => r.Passed);

        Assert.True(results["p99<50ms"]);
        Assert.False(results["p99.9<50ms"]);
        Assert.False(results["error_rate<0.1%"]);
        Assert.True(results["error_rate<0.5%"]);
        Assert.True(results["rps>=500"]);
        Assert.False(results["status_5xx<1"]);
        Assert.True(results["requests[ok]>=1000"]);
    }

    [Fact]
    public void Evaluate_UnknownOutcome_ThrowsUsageException()
    {
        var stats = new RunStats(new OutcomeSet(["ok"]));
        Assert.Throws<UsageException>(() => SloEvaluator.Evaluate([SloParser.Parse("p99[won]<5ms")], stats, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Evaluate_RssRule_JudgesTheLargestServiceProcessOnly()
    {
        var stats = new RunStats(new OutcomeSet(["ok"]));
        ProcessReport[] processes = [new("redpacket-0", "service", 1, 310, 1, 10), new("account-0", "service", 2, 120, 1, 10), new("rabbitmq", "infrastructure", 3, 900, 1, 10)];

        var results = SloEvaluator.Evaluate([SloParser.Parse("rss_mb<300"), SloParser.Parse("rss_mb<400")], stats, TimeSpan.FromSeconds(1), processes);

        Assert.Equal(310, results[0].Actual);
        Assert.False(results[0].Passed);
        Assert.True(results[1].Passed);
    }

    [Fact]
    public void ProcessSampler_ThisProcess_ReportsMemoryAndCpu()
    {
        using var sampler = ProcessSampler.ForStack(null);
        sampler.Start();
        // Burn 200 ms of CPU (not of wall time: the machine may be shared).
        var spin = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        while (Process.GetCurrentProcess().TotalProcessorTime - cpu < TimeSpan.FromMilliseconds(200) && spin.Elapsed < TimeSpan.FromSeconds(20))
        {
        }
        var self = Assert.Single(sampler.Stop(spin.Elapsed));
        Assert.Equal("harness", self.Kind);
        Assert.True(self.PeakRssMb > 10);
        Assert.True(self.CpuSeconds > 0.1, $"cpu {self.CpuSeconds}");
        var machine = Assert.IsType<MachineReport>(sampler.Machine);
        Assert.Equal(Environment.ProcessorCount, machine.Cores);
        Assert.InRange(machine.BusyCores, 0.01, machine.Cores);
        Assert.InRange(machine.BusiestSecondCores, machine.BusyCores - 0.01, machine.Cores);
    }
}
