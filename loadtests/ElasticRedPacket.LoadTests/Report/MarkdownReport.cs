using System.Text;

namespace ElasticRedPacket.LoadTests.Report;

/// <summary>The report as Markdown: verdict, totals, latency, outcomes, status codes, SLOs, audit and a per-second table.</summary>
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
        var t = r.Totals;
        md.AppendLine("| measured | requests | completed | throughput | errors | dropped by generator | error rate | sent | received |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        md.AppendLine(inv, $"| {r.MeasuredSeconds:0.#} s | {t.Requests} | {t.Completed} | {t.Throughput:0.#}/s | {t.Errors} | {t.Dropped} | {t.ErrorRate:P3} | {Bytes(t.BytesSent)} | {Bytes(t.BytesReceived)} |");
        md.AppendLine();
        md.AppendLine("## Latency (ms, from each request's intended start)");
        md.AppendLine();
        md.AppendLine("| outcome | count | p50 | p75 | p95 | p99 | p99.9 | max | mean |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        Row(md, "**all**", r.Latency);
        foreach (var o in r.Outcomes)
        {
            Row(md, o.Outcome, o.Latency);
        }
        md.AppendLine();
        md.AppendLine("## Status codes");
        md.AppendLine();
        md.AppendLine(string.Join(", ", r.StatusCodes.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}: {kv.Value}")));
        md.AppendLine();
        if (r.Processes.Count > 0)
        {
            md.AppendLine("## Processes during the load");
            md.AppendLine();
            md.AppendLine("| process | kind | pid | peak RSS (MB) | CPU s | CPU (100% = 1 core) |");
            md.AppendLine("|---|---|---|---|---|---|");
            foreach (var p in r.Processes)
            {
                md.AppendLine(inv, $"| {p.Name} | {p.Kind} | {p.Pid} | {p.PeakRssMb:0.#} | {p.CpuSeconds:0.##} | {p.CpuPercent:0.#}% |");
            }
            md.AppendLine();
        }
        if (r.Slo.Count > 0)
        {
            md.AppendLine("## SLO");
            md.AppendLine();
            md.AppendLine("| rule | measured | verdict |");
            md.AppendLine("|---|---|---|");
            foreach (var s in r.Slo)
            {
                md.AppendLine(inv, $"| `{s.Expression}` | {s.Actual:0.###} {s.Unit} | {(s.Passed ? "pass" : "**FAIL**")} |");
            }
            md.AppendLine();
        }
        if (r.Audit is { } audit)
        {
            md.AppendLine(inv, $"## Audit of campaign {audit.CampaignId} ({audit.Source}): {(audit.Passed ? "clean" : "FAILED")}");
            md.AppendLine();
            md.AppendLine("| check (guarantee) | verdict | detail |");
            md.AppendLine("|---|---|---|");
            foreach (var c in audit.Checks)
            {
                md.AppendLine(inv, $"| {c.Name} | {(c.Passed ? "pass" : "**FAIL**")} | {c.Detail} |");
            }
            md.AppendLine();
        }
        md.AppendLine("## Per second");
        md.AppendLine();
        md.AppendLine("| s | started | completed | dropped | errors | p50 | p95 | p99 | max |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var s in r.Timeline)
        {
            md.AppendLine(inv, $"| {s.Second} | {s.Started} | {s.Completed} | {s.Dropped} | {s.Errors} | {s.P50:0.###} | {s.P95:0.###} | {s.P99:0.###} | {s.Max:0.###} |");
        }
        return md.ToString();
    }

    internal static string Bytes(long bytes) => bytes switch
    {
        >= 1 << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1 << 30):0.##} GiB"),
        >= 1 << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1 << 20):0.##} MiB"),
        >= 1 << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.##} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    private static void Row(StringBuilder md, string name, Metrics.LatencySummary l) =>
        md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {l.Count} | {l.P50:0.###} | {l.P75:0.###} | {l.P95:0.###} | {l.P99:0.###} | {l.P999:0.###} | {l.Max:0.###} | {l.Mean:0.###} |");
}
