using System.Text.Json;
using ElasticRedPacket.LoadTests.Load;
using ElasticRedPacket.LoadTests.Metrics;
using ElasticRedPacket.LoadTests.Report;
using ElasticRedPacket.LoadTests.Slo;

namespace ElasticRedPacket.LoadTests.Tests;

public sealed class PhaseBreakdownTests
{
    private static readonly Simulation[] RisingSteps =
    [
        new Inject(50, TimeSpan.FromSeconds(2)) { IsWarmUp = true },
        new Inject(100, TimeSpan.FromSeconds(2)),
        new Inject(200, TimeSpan.FromSeconds(2)),
        new Inject(300, TimeSpan.FromSeconds(2)),
        new Inject(100, TimeSpan.FromSeconds(2)),
    ];

    /// <summary>Measured steps of 100, 200, 300 and 100/s: the first two answer in 5-10 ms, the third in 120 ms with 5 dropped, the last in 5 ms.</summary>
    private static RunStats RecordSteps()
    {
        var stats = new RunStats(new OutcomeSet(["won"]));
        var start = Stopwatch.GetTimestamp();
        stats.StartMeasuring(start);
        var second = 0.0;
        foreach (var (rate, latencyMs) in new[] { (100, 5), (200, 10), (300, 120), (100, 5) })
        {
            for (var i = 0; i < rate * 2; i++)
            {
                var intended = start + (long)((second + ((double)i / rate)) * Stopwatch.Frequency);
                stats.Record(new Sample(0, 200, 10, 10), intended, intended + (latencyMs * Stopwatch.Frequency / 1000));
            }
            if (latencyMs > 100)
            {
                for (var d = 0; d < 5; d++)
                {
                    stats.RecordDropped(start + (long)((second + 1.5) * Stopwatch.Frequency));
                }
            }
            second += 2;
        }
        return stats;
    }

    [Fact]
    public void Build_RisingSteps_JudgesEachPhaseOnItsOwnRequests()
    {
        var rules = new[] { "p99<=50ms", "status_5xx<1", "p99[won]<=500ms" }.Select(SloParser.Parse).ToList();

        var phases = PhaseBreakdown.Build(RisingSteps, RecordSteps(), rules);

        Assert.Equal(4, phases.Count); // the warm-up is not a measured phase
        Assert.Equal([(0, 2), (2, 4), (4, 6), (6, 8)], phases.Select(p => (p.FromSecond, p.ToSecond)));
        Assert.Equal([200L, 400, 605, 200], phases.Select(p => p.Requests));
        Assert.Equal(5, phases[2].Dropped);
        Assert.Equal(200, phases[1].Throughput, 1);
        Assert.Equal(10, phases[1].P99, 0);
        Assert.Equal(120, phases[2].P99, 0);
        // Only the rule a phase's own requests measure; status codes and one outcome are whole-run rules.
        Assert.All(phases, p => Assert.Equal("p99<=50ms", Assert.Single(p.Slo).Expression));
        Assert.Equal([true, true, false, true], phases.Select(p => p.MeetsSlo));
        // The last step passes again, but after a broken one it does not count.
        Assert.Equal(200, PhaseBreakdown.SustainedRate(phases));
    }

    [Fact]
    public void SustainedRate_NoPhaseRuleOrFirstStepBroken_IsNull()
    {
        var stats = RecordSteps();

        Assert.Null(PhaseBreakdown.SustainedRate(PhaseBreakdown.Build(RisingSteps, stats, [SloParser.Parse("status_5xx<1")])));
        Assert.Null(PhaseBreakdown.SustainedRate(PhaseBreakdown.Build(RisingSteps, stats, [SloParser.Parse("p99<=1ms")])));
        Assert.Equal(300, PhaseBreakdown.SustainedRate(PhaseBreakdown.Build(RisingSteps, stats, [SloParser.Parse("p99<=500ms")])));
    }

    [Fact]
    public void Reports_SeveralPhases_ShowTheTableAndTheSustainedRate()
    {
        var stats = RecordSteps();
        var rules = new[] { SloParser.Parse("p99<=50ms") };
        var phases = PhaseBreakdown.Build(RisingSteps, stats, rules);
        var report = ReportBuilder.Build("grab-peak", "steps", "grab-peak --phases ...", DateTimeOffset.UtcNow, "http://127.0.0.1:1/",
            [.. RisingSteps.Select(p => p.Describe())], PhaseSpec.Measured(RisingSteps), stats, [], SloEvaluator.Evaluate(rules, stats, PhaseSpec.Measured(RisingSteps)),
            null, "FAIL (SLO)", 1, phaseResults: phases);

        Assert.Equal(200, report.SustainedRate);
        var markdown = MarkdownReport.Render(report);
        Assert.Contains("## Per phase", markdown, StringComparison.Ordinal);
        Assert.Contains("| inject 300/s for 2s | 4-6 | 605 | 300 | 5 | 0 |", markdown, StringComparison.Ordinal);
        Assert.Contains("Sustained within the SLOs: every phase up to 200/s met them; the first to break one: inject 300/s for 2s.", markdown, StringComparison.Ordinal);
        Assert.Contains("class=\"fail\">FAIL p99&lt;=50ms", HtmlReport.Render(report), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(ReportWriter.ToJson(report));
        Assert.Equal(4, json.RootElement.GetProperty("phaseResults").GetArrayLength());
        Assert.Equal(200, json.RootElement.GetProperty("sustainedRate").GetDouble());
    }

    [Fact]
    public void Reports_OneMeasuredPhase_NoPhaseTable()
    {
        var stats = RecordSteps();
        Simulation[] one = [new Inject(100, TimeSpan.FromSeconds(8))];
        var phases = PhaseBreakdown.Build(one, stats, [SloParser.Parse("p99<=50ms")]);
        var report = ReportBuilder.Build("grab-peak", "one", "grab-peak", DateTimeOffset.UtcNow, "http://127.0.0.1:1/", ["inject 100/s for 8s"],
            TimeSpan.FromSeconds(8), stats, [], [], null, "PASS", 0, phaseResults: phases);

        Assert.Equal(1405, Assert.Single(phases).Requests);
        Assert.DoesNotContain("Per phase", MarkdownReport.Render(report), StringComparison.Ordinal);
        Assert.Null(PhaseBreakdown.Conclusion(report));
    }
}
