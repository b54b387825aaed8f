namespace ElasticRedPacket.Capacity.Autoscaling;

/// <summary>A pod as the CPU calculation needs it: its group, its sample (if any) and its CPU request.</summary>
public sealed record PodCpu(PodGroup Group, long? UsageMilliCores, long RequestMilliCores);

/// <summary>A metric's proposal: the replica count it asks for and the utilisation it saw (percent of request, or the raw value).</summary>
public sealed record MetricProposal(int Replicas, double Observed);

/// <summary>
/// The desired replica count per metric, as k8s pkg/controller/podautoscaler/replica_calculator.go
/// computes it: desired = ceil(current * metric / target), no change within the tolerance, and the
/// conservative treatment of unready and missing pods.
/// </summary>
public static class ReplicaCalculator
{
    /// <summary>--horizontal-pod-autoscaler-tolerance default.</summary>
    public const double DefaultTolerance = 0.1;

    public static bool WithinTolerance(double usageRatio, double tolerance = DefaultTolerance) =>
        1.0 - tolerance <= usageRatio && usageRatio <= 1.0 + tolerance;

    /// <summary>
    /// GetResourceReplicas for a Utilization target. Null when no pod has a usable metric (the controller
    /// then treats the metric as invalid).
    /// </summary>
    public static MetricProposal? ResourceUtilization(int currentReplicas, IReadOnlyList<PodCpu> pods, int targetUtilization,
        double tolerance = DefaultTolerance)
    {
        var ready = pods.Where(p => p.Group == PodGroup.Ready && p.UsageMilliCores is not null).ToList();
        if (ready.Count == 0)
        {
            return null;
        }
        var unready = pods.Where(p => p.Group == PodGroup.Unready).ToList();
        var missing = pods.Where(p => p.Group == PodGroup.Missing).ToList();
        var (usageRatio, utilization) = UtilizationRatio([.. ready.Select(p => (p.UsageMilliCores!.Value, p.RequestMilliCores))], targetUtilization);

        var scaleUpWithUnready = unready.Count > 0 && usageRatio > 1.0;
        if (!scaleUpWithUnready && missing.Count == 0)
        {
            return WithinTolerance(usageRatio, tolerance)
                ? new(currentReplicas, utilization)
                : new((int)Math.Ceiling(usageRatio * ready.Count), utilization);
        }

        // Re-run with the conservative assumptions: missing pods at 100 % (scale-down) or 0 % (scale-up),
        // unready pods at 0 % on a scale-up.
        var samples = ready.Select(p => (p.UsageMilliCores!.Value, p.RequestMilliCores)).ToList();
        if (usageRatio < 1.0)
        {
            var fallback = Math.Max(100, targetUtilization);
            samples.AddRange(missing.Select(p => (p.RequestMilliCores * fallback / 100, p.RequestMilliCores)));
        }
        else if (usageRatio > 1.0)
        {
            samples.AddRange(missing.Select(p => (0L, p.RequestMilliCores)));
        }
        if (scaleUpWithUnready)
        {
            samples.AddRange(unready.Select(p => (0L, p.RequestMilliCores)));
        }
        var (newUsageRatio, _) = UtilizationRatio(samples, targetUtilization);
        if (WithinTolerance(newUsageRatio, tolerance) || (usageRatio < 1.0 && newUsageRatio > 1.0) || (usageRatio > 1.0 && newUsageRatio < 1.0))
        {
            return new(currentReplicas, utilization); // too small a change, or the assumptions flipped the direction
        }
        var newReplicas = (int)Math.Ceiling(newUsageRatio * samples.Count);
        if ((newUsageRatio < 1.0 && newReplicas > currentReplicas) || (newUsageRatio > 1.0 && newReplicas < currentReplicas))
        {
            return new(currentReplicas, utilization);
        }
        return new(newReplicas, utilization);
    }

    /// <summary>
    /// GetExternalPerPodMetricReplicas (an External metric with an AverageValue target, which is how KEDA
    /// exposes a queue-length or cron trigger): ceil(total / target), unless total / (target * status
    /// replicas) is within the tolerance.
    /// </summary>
    public static MetricProposal ExternalAverageValue(int statusReplicas, double total, double targetPerPod, double tolerance = DefaultTolerance)
    {
        var usageRatio = total / (targetPerPod * statusReplicas);
        var replicas = WithinTolerance(usageRatio, tolerance) ? statusReplicas : (int)Math.Ceiling(total / targetPerPod);
        return new(replicas, total);
    }

    /// <summary>metricsclient.GetResourceUtilizationRatio: the utilisation is truncated to a whole percent before the ratio.</summary>
    private static (double Ratio, int Utilization) UtilizationRatio(IReadOnlyList<(long Usage, long Request)> samples, int targetUtilization)
    {
        var usage = samples.Sum(s => s.Usage);
        var requests = samples.Sum(s => s.Request);
        var utilization = (int)(usage * 100 / requests);
        return ((double)utilization / targetUtilization, utilization);
    }
}
