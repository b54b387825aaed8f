using System.Text;
using ElasticRedPacket.LoadTests.Metrics;

namespace ElasticRedPacket.LoadTests.Report;

/// <summary>The report as Markdown: verdict, totals, latency, outcomes, status codes, processes, SLOs, audit and a per-second table.</summary>
public static class MarkdownReport
{
    public static string Render(RunReport r)
    {
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine(inv, $"# Load test `{r.Scenario}`: {r.Verdict}");
        md.AppendLine();
        md.AppendLine(inv, $"{r.Description}. Started {r.StartedAt:yyyy-MM-dd HH:mm:ss} UTC against {r.Target}; exit code {r.ExitCode}.");
        md.AppendLine();
        md.AppendLine("Phases: " + string.Join("; ", r.Phases) + ".");
        md.AppendLine();
        md.AppendLine(inv, $"Command line: `{r.CommandLine}`");
        md.AppendLine();
        var t = r.Totals;
        Table(md, ["measured", "requests", "completed", "throughput", "errors", "dropped by generator", "error rate", "sent", "received"],
            [[F(r.MeasuredSeconds) + " s", N(t.Requests), N(t.Completed), F(t.Throughput) + "/s", N(t.Errors), N(t.Dropped), t.ErrorRate.ToString("P3", inv), Bytes(t.BytesSent), Bytes(t.BytesReceived)]]);

        md.AppendLine("## Latency (ms, from each request's intended start)").AppendLine();
        Table(md, ["outcome", "count", "p50", "p75", "p95", "p99", "p99.9", "max", "mean"],
            [.. new[] { new OutcomeReport("**all**", r.Latency.Count, r.Latency) }.Concat(r.Outcomes).Select(o => Row(o.Outcome, o.Latency))]);

        md.AppendLine("## Status codes").AppendLine();
        md.AppendLine(string.Join(", ", r.StatusCodes.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}: {kv.Value}"))).AppendLine();

        if (r.Processes.Count > 0)
        {
            md.AppendLine("## Processes during the load").AppendLine();
            Table(md, ["process", "kind", "pid", "peak RSS (MB)", "CPU s", "CPU (100% = 1 core)"],
                [.. r.Processes.Select(p => new[] { p.Name, p.Kind, N(p.Pid), F(p.PeakRssMb), F(p.CpuSeconds), F(p.CpuPercent) + "%" })]);
        }
        foreach (var (text, stress) in r.MachineNotes())
        {
            md.AppendLine(stress ? $"**{text}.**" : text + ".").AppendLine();
        }
        if (r.Slo.Count > 0)
        {
            md.AppendLine("## SLO").AppendLine();
            Table(md, ["rule", "measured", "verdict"], [.. r.Slo.Select(s => new[] { $"`{s.Expression}`", $"{F(s.Actual)} {s.Unit}", s.Passed ? "pass" : "**FAIL**" })]);
        }
        if (r.Audit is { } audit)
        {
            md.AppendLine(inv, $"## Audit of campaign {audit.CampaignId} ({audit.Source}): {(audit.Passed ? "clean" : "FAILED")}").AppendLine();
            Table(md, ["check (guarantee)", "verdict", "detail"], [.. audit.Checks.Select(c => new[] { c.Name, c.Passed ? "pass" : "**FAIL**", c.Detail })]);
        }
        if (r.PhaseResults is { Count: > 1 } phases)
        {
            md.AppendLine("## Per phase (requests by intended start; SLO: the rules a phase is judged on alone)").AppendLine();
            Table(md, PhaseBreakdown.Headers, phases.Select(PhaseBreakdown.Row));
            if (PhaseBreakdown.Conclusion(r) is { } conclusion)
            {
                md.AppendLine(conclusion).AppendLine();
            }
        }
        md.AppendLine("## Per second").AppendLine();
        Table(md, ["s", "started", "completed", "dropped", "errors", "p50", "p95", "p99", "max", "machine busy", "stolen"],
            [.. r.Timeline.Select(s => new[] { N(s.Second), N(s.Started), N(s.Completed), N(s.Dropped), N(s.Errors), F(s.P50), F(s.P95), F(s.P99), F(s.Max), Cores(s.BusyCores), Cores(s.StolenCores) })]);
        return md.ToString();
    }

    internal static string Bytes(long bytes) => bytes switch
    {
        >= 1 << 30 => F(bytes / (double)(1 << 30)) + " GiB",
        >= 1 << 20 => F(bytes / (double)(1 << 20)) + " MiB",
        >= 1 << 10 => F(bytes / 1024.0) + " KiB",
        _ => N(bytes) + " B",
    };

    private static string[] Row(string name, LatencySummary l) => [name, N(l.Count), F(l.P50), F(l.P75), F(l.P95), F(l.P99), F(l.P999), F(l.Max), F(l.Mean)];

    internal static string Cores(double? cores) => cores is { } c ? c.ToString("0.00", CultureInfo.InvariantCulture) : "-";

    internal static string F(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    internal static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static void Table(StringBuilder md, string[] headers, IEnumerable<string[]> rows)
    {
        md.Append("| ").AppendJoin(" | ", headers).AppendLine(" |");
        md.Append('|').AppendJoin('|', headers.Select(_ => "---")).AppendLine("|");
        foreach (var row in rows)
        {
            md.Append("| ").AppendJoin(" | ", row).AppendLine(" |");
        }
        md.AppendLine();
    }
}
