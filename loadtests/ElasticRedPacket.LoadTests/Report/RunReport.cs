using ElasticRedPacket.LoadTests.Audit;
using ElasticRedPacket.LoadTests.Metrics;
using ElasticRedPacket.LoadTests.Slo;

namespace ElasticRedPacket.LoadTests.Report;

/// <summary>The finished run, as written to report.json (and rendered to Markdown and HTML).</summary>
public sealed record RunReport(
    string Scenario,
    string Description,
    string CommandLine,
    DateTimeOffset StartedAt,
    string Target,
    IReadOnlyList<string> Phases,
    double MeasuredSeconds,
    RunTotals Totals,
    LatencySummary Latency,
    IReadOnlyList<OutcomeReport> Outcomes,
    IReadOnlyDictionary<string, long> StatusCodes,
    IReadOnlyList<SecondReport> Timeline,
    IReadOnlyList<ProcessReport> Processes,
    IReadOnlyList<SloResult> Slo,
    AuditReport? Audit,
    string Verdict,
    int ExitCode,
    MachineReport? Machine = null,
    IReadOnlyList<PhaseReport>? PhaseResults = null,
    double? SustainedRate = null,
    HarnessGcReport? HarnessGc = null,
    string? MachineCaution = null)
{
    /// <summary>
    /// What the machine and the harness did during the load, in the order every format prints it: the machine line,
    /// its caution (<c>Stress</c>: printed in bold), the harness's GC line.
    /// </summary>
    public IEnumerable<(string Text, bool Stress)> MachineNotes()
    {
        if (Machine is { } machine)
        {
            yield return (machine.Describe(), false);
        }
        if (MachineCaution is { } caution)
        {
            yield return (caution, true);
        }
        if (HarnessGc is { } gc)
        {
            yield return (gc.Describe(), false);
        }
    }
}

/// <summary>Requests after warm-up: completed (answered or failed), errors (5xx, transport, unexpected), dropped by the generator.</summary>
public sealed record RunTotals(long Requests, long Completed, long Errors, long Dropped, double ErrorRate, double Throughput, long BytesSent, long BytesReceived);

public sealed record OutcomeReport(string Outcome, long Count, LatencySummary Latency);

/// <summary>
/// One second: requests by intended start (started = completed + dropped; their latency
/// percentiles, errors, outcome counts) and completions in that second (throughput). BusyCores and
/// StolenCores: the whole machine in that second (null where the harness cannot read /proc/stat).
/// </summary>
public sealed record SecondReport(int Second, long Started, long Completed, long Dropped, long Errors, double P50, double P95, double P99, double Max, IReadOnlyDictionary<string, long> Outcomes,
    double? BusyCores = null, double? StolenCores = null);
