using System.Text;
using ElasticRedPacket.Capacity.Simulator;

namespace ElasticRedPacket.Capacity.Output;

/// <summary>The inputs and results of one planning run, as the report files render them.</summary>
public sealed record CapacityRun(string Source, string ProfileDescription, int SpikeStart, double SloP99Ms, string CronPlacement,
    IReadOnlyList<ServicePlan> Plans, IReadOnlyList<string> Warnings, string Patch);

/// <summary>Per-second CSV and the Markdown report (summary, recommendation, per-second table).</summary>
public static class CapacityReport
{
    public const string CsvHeader = "second,offered_rps,pods,ready,desired,served_rps,shed_rps,backlog,utilisation,cpu_percent_of_request,p99_ms,queue_metric,event";

    public static string Csv(SimulationResult result)
    {
        var csv = new StringBuilder().AppendLine(CsvHeader);
        foreach (var r in result.Rows)
        {
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Second},{r.Offered:0.##},{r.Pods},{r.Ready},{r.Desired},{r.Served:0.##},{r.Shed:0.##},{r.Backlog:0.##},{r.Utilisation:0.####},{r.CpuPercent:0.#},{r.P99Ms:0.#},{r.QueueMetric:0},\"{r.Event}\""));
        }
        return csv.ToString();
    }

    public static string Summary(CapacityRun run)
    {
        var md = new StringBuilder();
        foreach (var p in run.Plans)
        {
            var a = p.Autoscaler;
            var m = p.Model;
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{m.Service} ({a.Kind} {a.Name}, min {a.MinReplicas}, max {a.MaxReplicas}; {m.CapacityPerReplica:0.#} req/s per replica, {m.CpuSecondsPerRequest * 1000:0.###} ms CPU per request, ready in {m.ReadySeconds:0.#} s):"));
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"  as deployed (worst sync phase {p.Current.SyncOffset} s): max p99 {p.Current.MaxP99Ms:0} ms, {p.Current.SecondsOverSlo} s over the SLO, {p.Current.TotalShed:0} requests shed of {p.Current.TotalOffered:0} -> {(p.Current.MeetsSlo ? "meets" : "MISSES")} p99 < {run.SloP99Ms:0} ms"));
            md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  ready replicas the peak needs: {p.NeededAtPeak}"));
            md.AppendLine(p.RecommendedMin is { } min
                ? string.Create(CultureInfo.InvariantCulture, $"  floor without pre-scale: minReplicas {min} (max p99 {p.WithMin!.MaxP99Ms:0} ms)")
                : "  floor without pre-scale: none within maxReplicas");
            if (p.CronDesired is { } desired)
            {
                md.AppendLine(p.LeadSeconds is { } lead
                    ? string.Create(CultureInfo.InvariantCulture, $"  pre-scale: cron desiredReplicas {desired}, window opening >= {lead} s before the spike (max p99 {p.WithPrescale!.MaxP99Ms:0} ms)")
                    : string.Create(CultureInfo.InvariantCulture, $"  pre-scale: cron desiredReplicas {desired} does not keep p99 within the SLO at any lead"));
            }
        }
        return md.ToString();
    }

    public static string Markdown(CapacityRun run)
    {
        var md = new StringBuilder();
        md.AppendLine("# Capacity plan");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- manifests: `{run.Source}`");
        md.AppendLine(CultureInfo.InvariantCulture, $"- profile: {run.ProfileDescription}; spike at second {run.SpikeStart}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- SLO: p99 < {run.SloP99Ms:0} ms and nothing shed, every second; cron window: {run.CronPlacement}");
        foreach (var warning in run.Warnings)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- warning: {warning}");
        }
        md.AppendLine();
        md.AppendLine("## Result");
        md.AppendLine();
        md.AppendLine("```");
        md.Append(Summary(run));
        md.AppendLine("```");
        md.AppendLine();
        md.AppendLine("## Overlay values to apply");
        md.AppendLine();
        md.AppendLine("```yaml");
        md.Append(run.Patch);
        md.AppendLine("```");
        foreach (var plan in run.Plans)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"## {plan.Model.Service}: per second, as deployed (sync phase {plan.Current.SyncOffset} s)");
            md.AppendLine();
            md.AppendLine("Every 5th second and every second the autoscaler acted; all seconds are in the CSV.");
            md.AppendLine();
            md.AppendLine("| s | offered/s | pods | ready | desired | served/s | shed/s | backlog | utilisation | CPU % of request | p99 ms | queue | event |");
            md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var r in plan.Current.Rows.Where(r => r.Second % 5 == 0 || r.Event is not null))
            {
                md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {r.Second} | {r.Offered:0} | {r.Pods} | {r.Ready} | {r.Desired} | {r.Served:0} | {r.Shed:0} | {r.Backlog:0} | {r.Utilisation:P0} | {r.CpuPercent:0} | {r.P99Ms:0} | {r.QueueMetric:0} | {r.Event} |"));
            }
        }
        return md.ToString();
    }
}
