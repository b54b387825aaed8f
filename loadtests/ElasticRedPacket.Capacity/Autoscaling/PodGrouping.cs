namespace ElasticRedPacket.Capacity.Autoscaling;

/// <summary>How the replica calculator counts a pod for a CPU metric (k8s replica_calculator.go, groupPods).</summary>
public enum PodGroup
{
    /// <summary>Its metric is used as measured.</summary>
    Ready,

    /// <summary>Pending, not ready, or ready for less than one metric window inside the CPU initialization period: 0 % on a scale-up, left out otherwise.</summary>
    Unready,

    /// <summary>Running but metrics-server has no sample yet: 0 % on a scale-up, 100 % of its request on a scale-down.</summary>
    Missing,

    /// <summary>Being deleted or failed: left out.</summary>
    Ignored,
}

/// <summary>What the controller sees of a pod at a sync: times in seconds on the simulation clock.</summary>
/// <param name="StartTime">status.startTime: the kubelet acknowledged the pod (before the image pull).</param>
/// <param name="Running">false while the pod is Pending (image pull, container start).</param>
/// <param name="Ready">the Ready condition.</param>
/// <param name="ReadyTransition">lastTransitionTime of the Ready condition.</param>
public sealed record PodView(double StartTime, bool Running, bool Ready, double ReadyTransition, bool Deleting = false);

/// <summary>One metrics-server sample: the pod's CPU usage averaged over Window seconds ending at Timestamp.</summary>
public sealed record PodMetric(long MilliCores, double Timestamp, double Window);

public static class PodGrouping
{
    /// <summary>--horizontal-pod-autoscaler-cpu-initialization-period default: 5 minutes.</summary>
    public const double CpuInitializationPeriod = 300;

    /// <summary>--horizontal-pod-autoscaler-initial-readiness-delay default: 30 s.</summary>
    public const double DelayOfInitialReadinessStatus = 30;

    /// <summary>groupPods for the CPU resource, one pod at a time (metric null: metrics-server has none for it).</summary>
    public static PodGroup Classify(PodView pod, PodMetric? metric, double now,
        double cpuInitializationPeriod = CpuInitializationPeriod, double delayOfInitialReadinessStatus = DelayOfInitialReadinessStatus)
    {
        if (pod.Deleting)
        {
            return PodGroup.Ignored;
        }
        if (!pod.Running)
        {
            return PodGroup.Unready; // Pending pods count as unready
        }
        if (metric is null)
        {
            return PodGroup.Missing;
        }
        bool unready;
        if (pod.StartTime + cpuInitializationPeriod > now)
        {
            // Inside the initialization period: unready, or ready for less than one metric window (the
            // sample may still hold start-up CPU).
            unready = !pod.Ready || metric.Timestamp < pod.ReadyTransition + metric.Window;
        }
        else
        {
            // Afterwards only a pod that has never been ready is left out.
            unready = !pod.Ready && pod.StartTime + delayOfInitialReadinessStatus > pod.ReadyTransition;
        }
        return unready ? PodGroup.Unready : PodGroup.Ready;
    }
}
