using System.Text;
using ElasticRedPacket.Capacity.Simulator;
using ElasticRedPacket.Capacity.Manifests;

namespace ElasticRedPacket.Capacity.Output;

/// <summary>The recommendation written as the kustomize overlay values to apply (deploy/k8s/overlays/prod).</summary>
public static class OverlayPatch
{
    public static string Render(IReadOnlyList<ServicePlan> plans, TimeOnly? spikeAt)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("# deploy/k8s/overlays/prod/peak.yaml: the floors (a strategic-merge patch per autoscaler)");
        foreach (var plan in plans)
        {
            var a = plan.Autoscaler;
            var min = Math.Max(plan.RecommendedMin ?? plan.NeededAtPeak, a.MinReplicas);
            var max = Math.Max(a.MaxReplicas, min);
            yaml.AppendLine("---");
            yaml.AppendLine(a.IsKeda ? "apiVersion: keda.sh/v1alpha1" : "apiVersion: autoscaling/v2");
            yaml.AppendLine(a.IsKeda ? "kind: ScaledObject" : "kind: HorizontalPodAutoscaler");
            yaml.AppendLine("metadata:");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  name: {a.Name}");
            yaml.AppendLine("  namespace: erp");
            yaml.AppendLine("spec:");
            var note = plan.RecommendedMin is null ? "  # no floor within maxReplicas keeps p99 within the SLO: raise maxReplicas" : "";
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  {(a.IsKeda ? "minReplicaCount" : "minReplicas")}: {min}{note}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  {(a.IsKeda ? "maxReplicaCount" : "maxReplicas")}: {max}");
        }
        foreach (var plan in plans.Where(p => p.CronDesired is not null))
        {
            var cron = plan.Autoscaler.Cron;
            var index = cron is null ? -1 : plan.Autoscaler.Metrics.ToList().IndexOf(cron);
            yaml.AppendLine();
            yaml.AppendLine(CultureInfo.InvariantCulture, $"# deploy/k8s/overlays/prod/kustomization.yaml: the pre-scale of {plan.Autoscaler.Name} (a JSON patch under patches:)");
            if (plan.LeadSeconds is not { } lead)
            {
                yaml.AppendLine(CultureInfo.InvariantCulture, $"# no cron lead up to {Planner.MaxLeadSeconds} s keeps p99 within the SLO: raise the floor instead");
                continue;
            }
            var start = spikeAt is { } at && cron is not null
                ? CronSchedule.StartBefore(cron.Start, at, lead)
                : $"<the spike's minute minus {Math.Ceiling(lead / 60.0)} min>";
            yaml.AppendLine(CultureInfo.InvariantCulture, $"# the window must open at least {lead} s before the spike (cron has minute resolution)");
            yaml.AppendLine("- target:");
            yaml.AppendLine("    group: keda.sh");
            yaml.AppendLine("    kind: ScaledObject");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    name: {plan.Autoscaler.Name}");
            yaml.AppendLine("  patch: |-");
            if (index >= 0)
            {
                yaml.AppendLine("    - op: test");
                yaml.AppendLine(CultureInfo.InvariantCulture, $"      path: /spec/triggers/{index}/type");
                yaml.AppendLine("      value: cron");
                yaml.AppendLine("    - op: replace");
                yaml.AppendLine(CultureInfo.InvariantCulture, $"      path: /spec/triggers/{index}/metadata/desiredReplicas");
                yaml.AppendLine(CultureInfo.InvariantCulture, $"      value: \"{plan.CronDesired}\"");
                yaml.AppendLine("    - op: replace");
                yaml.AppendLine(CultureInfo.InvariantCulture, $"      path: /spec/triggers/{index}/metadata/start");
                yaml.AppendLine(CultureInfo.InvariantCulture, $"      value: {start}");
            }
            else
            {
                yaml.AppendLine("    - op: add");
                yaml.AppendLine("      path: /spec/triggers/-");
                yaml.AppendLine(CultureInfo.InvariantCulture, $"      value: {{type: cron, name: campaign-prescale, metadata: {{timezone: Asia/Shanghai, start: \"{start}\", end: \"<after the peak>\", desiredReplicas: \"{plan.CronDesired}\"}}}}");
            }
        }
        return yaml.ToString();
    }
}
