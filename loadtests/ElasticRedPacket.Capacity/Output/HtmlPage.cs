using System.Text;
using ElasticRedPacket.Capacity.Simulator;
using ElasticRedPacket.LoadTests.Report;

namespace ElasticRedPacket.Capacity.Output;

/// <summary>A self-contained page (inline CSS and the harness's SVG charts, no scripts): per service, replicas, utilisation, p99 and shed over time.</summary>
public static class HtmlPage
{
    public static string Render(CapacityRun run)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Capacity plan</title>")
            .Append("<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:960px}pre{background:#f6f6f6;padding:1em;overflow:auto}svg{margin:1em 0;border:1px solid #eee}</style></head><body>")
            .Append("<h1>Capacity plan</h1><p>")
            .Append(E($"Manifests: {run.Source}. Profile: {run.ProfileDescription}; spike at second {run.SpikeStart}. SLO: p99 < {run.SloP99Ms:0} ms. Cron window: {run.CronPlacement}."))
            .Append("</p><pre>").Append(E(CapacityReport.Summary(run))).Append("</pre>")
            .Append("<h2>Overlay values to apply</h2><pre>").Append(E(run.Patch)).Append("</pre>");
        foreach (var plan in run.Plans)
        {
            var current = plan.Current.Rows;
            var better = plan.WithPrescale ?? plan.WithMin;
            var betterName = plan.WithPrescale is not null ? "with pre-scale" : "with the floor";
            html.Append("<h2>").Append(E(plan.Model.Service)).Append("</h2>");
            html.Append(SvgChart.Line("Replicas", "", Series(
                ("ready, as deployed", "#1f77b4", current.Select(r => (double)r.Ready)),
                ("desired, as deployed", "#aec7e8", current.Select(r => (double)r.Desired)),
                ($"ready, {betterName}", "#2ca02c", better?.Rows.Select(r => (double)r.Ready)))));
            html.Append(SvgChart.Line("Utilisation (offered / ready capacity) and CPU (% of request)", "%", Series(
                ("utilisation, as deployed", "#d62728", current.Select(r => Math.Min(r.Utilisation, 5) * 100)),
                ("CPU, as deployed", "#ff7f0e", current.Select(r => r.CpuPercent)),
                ($"utilisation, {betterName}", "#2ca02c", better?.Rows.Select(r => Math.Min(r.Utilisation, 5) * 100)))));
            html.Append(SvgChart.Line("Predicted p99", "ms", Series(
                ("as deployed", "#d62728", current.Select(r => r.P99Ms)),
                (betterName, "#2ca02c", better?.Rows.Select(r => r.P99Ms)),
                ("SLO", "#7f7f7f", current.Select(_ => run.SloP99Ms)))));
            html.Append(SvgChart.Line("Requests per second, as deployed", "req/s", Series(
                ("offered", "#aec7e8", current.Select(r => r.Offered)),
                ("served", "#1f77b4", current.Select(r => r.Served)),
                ("shed", "#d62728", current.Select(r => r.Shed)))));
        }
        html.Append("</body></html>");
        return html.ToString();
    }

    private static string E(string text) => System.Net.WebUtility.HtmlEncode(text);

    private static List<SvgChart.Series> Series(params (string Name, string Color, IEnumerable<double>? Values)[] series) =>
        [.. series.Where(s => s.Values is not null).Select(s => new SvgChart.Series(s.Name, s.Color, [.. s.Values!]))];
}
