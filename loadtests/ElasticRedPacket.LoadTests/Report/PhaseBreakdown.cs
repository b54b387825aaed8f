using ElasticRedPacket.LoadTests.Load;
using ElasticRedPacket.LoadTests.Metrics;
using ElasticRedPacket.LoadTests.Slo;

namespace ElasticRedPacket.LoadTests.Report;

/// <summary>
/// One measured phase: its requests (by intended start: answered + dropped), the rate they were answered at, their
/// latency, and the SLO rules a phase can be judged on alone (<see cref="SloEvaluator.EvaluatePhase"/>).
/// FromSecond/ToSecond: the measured seconds [from, to) it covers. Rate: the offered rate of an inject phase.
/// </summary>
public sealed record PhaseReport(
    string Phase, int FromSecond, int ToSecond, double? Rate, long Requests, long Answered, long Dropped, long Errors,
    double Throughput, double P50, double P95, double P99, double Max, IReadOnlyList<SloResult> Slo)
{
    public bool MeetsSlo => Slo.All(s => s.Passed);
}

/// <summary>
/// The run cut into its measured phases, so that one run of rising steps (inject:6000:15s,inject:8000:15s,...)
/// tells the highest rate the system sustains within the SLOs. Phases are cut at whole seconds of the per-second
/// stats: a phase shorter than a second, or one that does not start on a whole second, shares seconds with its
/// neighbours.
/// </summary>
public static class PhaseBreakdown
{
    public static IReadOnlyList<PhaseReport> Build(IEnumerable<Simulation> phases, RunStats stats, IReadOnlyList<SloRule> rules)
    {
        var reports = new List<PhaseReport>();
        var start = TimeSpan.Zero;
        foreach (var phase in phases.Where(p => !p.IsWarmUp))
        {
            var from = (int)Math.Round(start.TotalSeconds);
            start += phase.During;
            var to = Math.Max(from + 1, (int)Math.Round(start.TotalSeconds));
            var latency = new LatencyHistogram();
            long dropped = 0, errors = 0;
            for (var s = from; s < to; s++)
            {
                if (stats.SecondAt(s) is { } second)
                {
                    latency.Add(second.Latency);
                    dropped += second.Dropped;
                    errors += second.Errors;
                }
            }
            var answered = latency.TotalCount;
            reports.Add(new PhaseReport(
                phase.Describe(), from, to, phase is Inject inject ? inject.Rate : null, answered + dropped, answered, dropped, errors,
                Math.Round(answered / phase.During.TotalSeconds, 1),
                ReportBuilder.Ms(latency.ValueAtQuantile(0.5)), ReportBuilder.Ms(latency.ValueAtQuantile(0.95)), ReportBuilder.Ms(latency.ValueAtQuantile(0.99)), ReportBuilder.Ms(latency.Max),
                SloEvaluator.EvaluatePhase(rules, latency, errors, dropped, phase.During)));
        }
        return reports;
    }

    /// <summary>
    /// The highest offered rate of the inject phases before the first phase that broke an SLO rule (null without
    /// rules a phase can be judged on, or when the first inject phase already broke one). Steps are meant to rise:
    /// a backlog left by a failed step spills into the next, so nothing after the first failure counts.
    /// </summary>
    public static double? SustainedRate(IReadOnlyList<PhaseReport> phases)
    {
        if (!phases.Any(p => p.Slo.Count > 0))
        {
            return null;
        }
        double? sustained = null;
        foreach (var phase in phases)
        {
            if (!phase.MeetsSlo)
            {
                break;
            }
            if (phase.Rate is { } rate)
            {
                sustained = Math.Max(sustained ?? 0, rate);
            }
        }
        return sustained;
    }

    /// <summary>The per-phase table's columns (Markdown and HTML), and the line under it.</summary>
    public static readonly string[] Headers = ["phase", "s", "requests", "answered/s", "dropped", "errors", "p50", "p95", "p99", "max", "SLO"];

    public static string[] Row(PhaseReport p) =>
    [
        p.Phase, $"{p.FromSecond}-{p.ToSecond}", MarkdownReport.N(p.Requests), MarkdownReport.F(p.Throughput), MarkdownReport.N(p.Dropped), MarkdownReport.N(p.Errors), MarkdownReport.F(p.P50), MarkdownReport.F(p.P95), MarkdownReport.F(p.P99), MarkdownReport.F(p.Max),
        p.Slo.Count == 0 ? "-" : p.MeetsSlo ? "pass" : "FAIL " + string.Join(", ", p.Slo.Where(s => !s.Passed).Select(s => $"{s.Expression} ({MarkdownReport.F(s.Actual)} {s.Unit})")),
    ];

    /// <summary>What the steps tell (null when the run has one measured phase or no rule a phase can be judged on).</summary>
    public static string? Conclusion(RunReport report)
    {
        if (report.PhaseResults is not { Count: > 1 } phases || !phases.Any(p => p.Slo.Count > 0))
        {
            return null;
        }
        return report.SustainedRate is { } rate
            ? $"Sustained within the SLOs: every phase up to {MarkdownReport.F(rate)}/s met them" + (phases.All(p => p.MeetsSlo) ? "." : $"; the first to break one: {phases.First(p => !p.MeetsSlo).Phase}.")
            : $"No inject phase met the SLOs before the first that broke one ({phases.First(p => !p.MeetsSlo).Phase}).";
    }
}
