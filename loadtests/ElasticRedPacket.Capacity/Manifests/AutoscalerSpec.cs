using ElasticRedPacket.Capacity.Autoscaling;

namespace ElasticRedPacket.Capacity.Manifests;

/// <summary>One metric an autoscaler scales on.</summary>
public abstract record MetricSpec(string Name);

/// <summary>A Resource cpu metric with a Utilization target (HPA metric, or a KEDA cpu trigger).</summary>
public sealed record CpuUtilizationMetric(string Name, int TargetUtilization) : MetricSpec(Name);

/// <summary>
/// A KEDA rabbitmq trigger in QueueLength mode: an External metric with an AverageValue target
/// (desired = ceil(messages / Target)). Protocol http reads the management API, whose figures are
/// refreshed every collect_statistics_interval (5 s by default); amqp reads the ready count directly.
/// </summary>
public sealed record QueueLengthMetric(string Name, string QueueName, double Target, double Activation, string Protocol, bool UseCachedMetrics)
    : MetricSpec(Name);

/// <summary>A KEDA cron trigger: desiredReplicas inside [Start, End) (cron expressions in TimeZone), 1 outside (AverageValue target 1).</summary>
public sealed record CronMetric(string Name, string TimeZone, string Start, string End, int DesiredReplicas) : MetricSpec(Name);

/// <summary>
/// An autoscaler as read from the rendered manifests: an autoscaling/v2 HorizontalPodAutoscaler or a
/// KEDA ScaledObject (which KEDA turns into the HPA keda-hpa-&lt;name&gt; with the same min/max/behavior).
/// Behavior null = none given (the controller's legacy normalization).
/// </summary>
public sealed record AutoscalerSpec(
    string Kind,
    string Name,
    string Target,
    int MinReplicas,
    int MaxReplicas,
    IReadOnlyList<MetricSpec> Metrics,
    HpaBehavior? Behavior,
    int PollingIntervalSeconds,
    IReadOnlyList<string> Warnings)
{
    public bool IsKeda => Kind == "ScaledObject";

    public CronMetric? Cron => Metrics.OfType<CronMetric>().FirstOrDefault();
}

/// <summary>A Deployment's first container's CPU request and limit, in millicores (0 when absent).</summary>
public sealed record DeploymentCpu(string Name, long RequestMilliCores, long LimitMilliCores);

/// <summary>Everything the simulator reads from one rendering.</summary>
public sealed record ClusterManifests(string Source, IReadOnlyList<AutoscalerSpec> Autoscalers, IReadOnlyList<DeploymentCpu> Deployments)
{
    public AutoscalerSpec? AutoscalerFor(string deployment) => Autoscalers.FirstOrDefault(a => a.Target == deployment);

    public DeploymentCpu? Deployment(string name) => Deployments.FirstOrDefault(d => d.Name == name);
}
