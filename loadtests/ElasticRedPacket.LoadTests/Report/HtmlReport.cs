using System.Text;

namespace ElasticRedPacket.LoadTests.Report;

/// <summary>A self-contained HTML page (inline CSS and SVG, no scripts): verdict, charts of throughput and latency percentiles over time, the tables.</summary>
public static class HtmlReport
{
    public static string Render(RunReport r)
    {
        var inv = CultureInfo.InvariantCulture;
        var html = new StringBuilder();
        var pass = r.ExitCode == 0;
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(SvgChart.Html($"Load test {r.Scenario}: {r.Verdict}"))
            .Append("</title><style>body{font-family:system-ui,sans-serif;margin:2em;max-width:960px}table{border-collapse:collapse;margin:1em 0}")
            .Append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}td:first-child{text-align:left}")
            .Append(".pass{color:#17803d}.fail{color:#b3261e;font-weight:bold}svg{margin:1em 0;border:1px solid #eee}</style></head><body>");
        html.Append(inv, $"<h1>Load test <code>{SvgChart.Html(r.Scenario)}</code>: <span class=\"{(pass ? "pass" : "fail")}\">{SvgChart.Html(r.Verdict)}</span></h1>");
        html.Append(inv, $"<p>{SvgChart.Html(r.Description)}. Started {r.StartedAt:yyyy-MM-dd HH:mm:ss} UTC against {SvgChart.Html(r.Target)}; exit code {r.ExitCode}.<br>Phases: {SvgChart.Html(string.Join("; ", r.Phases))}.<br>Command line: <code>{SvgChart.Html(r.CommandLine)}</code></p>");
        var t = r.Totals;
        Table(html, ["measured", "requests", "completed", "throughput", "errors", "dropped", "error rate", "sent", "received"],
            [[$"{r.MeasuredSeconds:0.#} s", $"{t.Requests}", $"{t.Completed}", $"{t.Throughput:0.#}/s", $"{t.Errors}", $"{t.Dropped}", t.ErrorRate.ToString("P3", inv), MarkdownReport.Bytes(t.BytesSent), MarkdownReport.Bytes(t.BytesReceived)]]);

        var timeline = r.Timeline;
        html.Append(SvgChart.Line("Throughput per second", "req/s",
        [
            new("completed", "#1f77b4", [.. timeline.Select(s => (double)s.Completed)]),
            new("started (intended)", "#aec7e8", [.. timeline.Select(s => (double)s.Started)]),
            new("errors + dropped", "#d62728", [.. timeline.Select(s => (double)(s.Errors + s.Dropped))]),
        ]));
        html.Append(SvgChart.Line("Latency percentiles by intended start second", "ms",
        [
            new("p50", "#2ca02c", [.. timeline.Select(s => s.P50)]),
            new("p95", "#ff7f0e", [.. timeline.Select(s => s.P95)]),
            new("p99", "#d62728", [.. timeline.Select(s => s.P99)]),
        ]));
        if (timeline.Any(s => s.BusyCores is not null))
        {
            // Beside the latency: a slow second with the cores stolen by the hypervisor was the machine, not the build.
            html.Append(SvgChart.Line("The machine per second (every process)", "cores",
            [
                new("busy", "#7f7f7f", [.. timeline.Select(s => s.BusyCores ?? 0)]),
                new("stolen by the hypervisor", "#d62728", [.. timeline.Select(s => s.StolenCores ?? 0)]),
            ]));
        }

        // Outcomes over time: for a grab run this shows each batch release (won) and the sell-outs between them.
        string[] palette = ["#2ca02c", "#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#d62728"];
        var names = r.Outcomes.OrderByDescending(o => o.Count).Select(o => o.Outcome).Take(palette.Length).ToList();
        html.Append(SvgChart.Line("Outcomes per second (by intended start)", "req/s",
            [.. names.Select((name, i) => new SvgChart.Series(name, palette[i], [.. timeline.Select(s => (double)s.Outcomes.GetValueOrDefault(name))]))]));

        html.Append("<h2>Latency (ms, from each request's intended start)</h2>");
        Table(html, ["outcome", "count", "p50", "p75", "p95", "p99", "p99.9", "max", "mean"],
            [.. new[] { new OutcomeReport("all", r.Latency.Count, r.Latency) }.Concat(r.Outcomes).Select(o => new[]
            {
                o.Outcome, $"{o.Count}", F(o.Latency.P50), F(o.Latency.P75), F(o.Latency.P95), F(o.Latency.P99), F(o.Latency.P999), F(o.Latency.Max), F(o.Latency.Mean),
            })]);
        html.Append("<h2>Status codes</h2>");
        Table(html, ["status", "count"], [.. r.StatusCodes.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new[] { kv.Key, $"{kv.Value}" })]);
        if (r.Processes.Count > 0)
        {
            html.Append("<h2>Processes during the load</h2>");
            Table(html, ["process", "kind", "pid", "peak RSS (MB)", "CPU s", "CPU (100% = 1 core)"],
                [.. r.Processes.Select(p => new[] { p.Name, p.Kind, $"{p.Pid}", F(p.PeakRssMb), F(p.CpuSeconds), F(p.CpuPercent) + "%" })]);
        }
        foreach (var (text, stress) in r.MachineNotes())
        {
            html.Append(stress ? "<p><strong>" : "<p>").Append(SvgChart.Html(text)).Append(stress ? ".</strong></p>" : ".</p>");
        }
        if (r.Slo.Count > 0)
        {
            html.Append("<h2>SLO</h2>");
            Table(html, ["rule", "measured", "verdict"], [.. r.Slo.Select(s => new[] { s.Expression, $"{s.Actual.ToString("0.###", inv)} {s.Unit}", s.Passed ? "pass" : "FAIL" })]);
        }
        if (r.Audit is { } audit)
        {
            html.Append(inv, $"<h2>Audit of campaign {audit.CampaignId} ({SvgChart.Html(audit.Source)}): <span class=\"{(audit.Passed ? "pass" : "fail")}\">{(audit.Passed ? "clean" : "FAILED")}</span></h2>");
            Table(html, ["check (guarantee)", "verdict", "detail"], [.. audit.Checks.Select(c => new[] { c.Name, c.Passed ? "pass" : "FAIL", c.Detail })]);
        }
        if (r.PhaseResults is { Count: > 1 } phases)
        {
            html.Append("<h2>Per phase (requests by intended start; SLO: the rules a phase is judged on alone)</h2>");
            Table(html, PhaseBreakdown.Headers, phases.Select(PhaseBreakdown.Row));
            if (PhaseBreakdown.Conclusion(r) is { } conclusion)
            {
                html.Append("<p>").Append(SvgChart.Html(conclusion)).Append("</p>");
            }
        }
        html.Append("<h2>Per second</h2>");
        Table(html, ["s", "started", "completed", "dropped", "errors", "p50", "p95", "p99", "max", "machine busy", "stolen"],
            [.. timeline.Select(s => new[] { $"{s.Second}", $"{s.Started}", $"{s.Completed}", $"{s.Dropped}", $"{s.Errors}", F(s.P50), F(s.P95), F(s.P99), F(s.Max),
                MarkdownReport.Cores(s.BusyCores), MarkdownReport.Cores(s.StolenCores) })]);
        html.Append("</body></html>");
        return html.ToString();
    }

    private static string F(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static void Table(StringBuilder html, string[] headers, IEnumerable<string[]> rows)
    {
        html.Append("<table><tr>");
        foreach (var h in headers)
        {
            html.Append("<th>").Append(SvgChart.Html(h)).Append("</th>");
        }
        html.Append("</tr>");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            foreach (var cell in row)
            {
                var css = cell.StartsWith("FAIL", StringComparison.Ordinal) ? " class=\"fail\"" : cell == "pass" ? " class=\"pass\"" : "";
                html.Append("<td").Append(css).Append('>').Append(SvgChart.Html(cell)).Append("</td>");
            }
            html.Append("</tr>");
        }
        html.Append("</table>");
    }
}
