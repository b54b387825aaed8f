using ElasticRedPacket.LoadTests.Audit;
using ElasticRedPacket.LoadTests.Metrics;
using ElasticRedPacket.LoadTests.Slo;

namespace ElasticRedPacket.LoadTests.Report;

/// <summary>Turns the recorded stats, SLO verdicts and audit into a <see cref="RunReport"/>.</summary>
public static class ReportBuilder
{
    public static RunReport Build(
        string scenario, string description, string commandLine, DateTimeOffset startedAt, string target, IReadOnlyList<string> phases, TimeSpan measured,
        RunStats stats, IReadOnlyList<ProcessReport> processes, IReadOnlyList<SloResult> slo, AuditReport? audit, string verdict, int exitCode,
        MachineReport? machine = null, IReadOnlyList<PhaseReport>? phaseResults = null, HarnessGcReport? harnessGc = null,
        IReadOnlyDictionary<int, MachineSecond>? machineSeconds = null)
    {
        var completed = stats.Completed;
        var attempted = completed + stats.Dropped;
        var totals = new RunTotals(
            attempted, completed, stats.Errors, stats.Dropped,
            attempted == 0 ? 0 : Math.Round((double)(stats.Errors + stats.Dropped) / attempted, 6),
            measured.TotalSeconds <= 0 ? 0 : Math.Round(completed / measured.TotalSeconds, 1),
            stats.BytesSent, stats.BytesReceived);
        var outcomes = Enumerable.Range(0, stats.Outcomes.Count)
            .Where(i => stats.OutcomeCount(i) > 0)
            .Select(i => new OutcomeReport(stats.Outcomes[i], stats.OutcomeCount(i), stats.OutcomeLatency(i).Summarize()))
            .ToList();
        var statusCodes = stats.StatusCounts().ToDictionary(kv => kv.Key == 0 ? "none" : kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value, StringComparer.Ordinal);
        var timeline = Timeline(stats, measured, machineSeconds ?? new Dictionary<int, MachineSecond>());
        return new RunReport(scenario, description, commandLine, startedAt, target, phases, Math.Round(measured.TotalSeconds, 3), totals,
            stats.MergedLatency().Summarize(), outcomes, statusCodes, timeline, processes, slo, audit, verdict, exitCode, machine,
            phaseResults, phaseResults is null ? null : PhaseBreakdown.SustainedRate(phaseResults), harnessGc,
            machine is null ? null : MachineCaution.Describe(timeline, machine.Cores));
    }

    private static List<SecondReport> Timeline(RunStats stats, TimeSpan measured, IReadOnlyDictionary<int, MachineSecond> machine)
    {
        var seconds = Math.Max(stats.LastSecond + 1, (int)Math.Ceiling(measured.TotalSeconds));
        var timeline = new List<SecondReport>(seconds);
        double? Busy(int s) => machine.TryGetValue(s, out var m) ? m.BusyCores : null;
        double? Stolen(int s) => machine.TryGetValue(s, out var m) ? m.StolenCores : null;
        for (var s = 0; s < seconds; s++)
        {
            var second = stats.SecondAt(s);
            if (second is null)
            {
                timeline.Add(new SecondReport(s, 0, 0, 0, 0, 0, 0, 0, 0, new Dictionary<string, long>(), Busy(s), Stolen(s)));
                continue;
            }
            var latency = second.Latency;
            var started = latency.TotalCount + second.Dropped;
            var outcomes = Enumerable.Range(0, stats.Outcomes.Count)
                .Where(i => second.OutcomeCount(i) > 0)
                .ToDictionary(i => stats.Outcomes[i], i => second.OutcomeCount(i), StringComparer.Ordinal);
            timeline.Add(new SecondReport(s, started, second.Completed, second.Dropped, second.Errors,
                Ms(latency.ValueAtQuantile(0.5)), Ms(latency.ValueAtQuantile(0.95)), Ms(latency.ValueAtQuantile(0.99)), Ms(latency.Max), outcomes, Busy(s), Stolen(s)));
        }
        return timeline;
    }

    internal static double Ms(TimeSpan value) => Math.Round(value.TotalMilliseconds, 3);
}
