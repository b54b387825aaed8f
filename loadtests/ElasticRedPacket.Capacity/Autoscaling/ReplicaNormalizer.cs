namespace ElasticRedPacket.Capacity.Autoscaling;

/// <summary>
/// What the HPA controller remembers per autoscaler between syncs (recommendations, scale events) and
/// how it turns a metric proposal into the next replica count (k8s horizontal.go):
/// with a behavior: stabilizeRecommendationWithBehaviors then convertDesiredReplicasWithBehaviorRate;
/// without one (behavior absent): the legacy normalizeDesiredReplicas (300 s scale-down window, at
/// most max(2 x current, 4) per sync). Times are seconds on the simulation clock.
/// </summary>
public sealed class ReplicaNormalizer(HpaBehavior? behavior, int minReplicas, int maxReplicas)
{
    /// <summary>--horizontal-pod-autoscaler-downscale-stabilization default.</summary>
    public const int DefaultDownscaleStabilizationSeconds = 300;

    private readonly List<(double At, int Replicas)> _recommendations = [];
    private readonly List<(double At, int Change)> _scaleUpEvents = [];
    private readonly List<(double At, int Change)> _scaleDownEvents = [];

    public HpaBehavior? Behavior { get; } = behavior;

    public int MinReplicas { get; } = minReplicas;

    public int MaxReplicas { get; } = maxReplicas;

    /// <summary>The replica count to set, given the current spec replicas and the metrics' proposal (max over metrics).</summary>
    public int Normalize(double now, int currentReplicas, int proposed) => Behavior is null
        ? ConvertWithRules(currentReplicas, StabilizeLegacy(now, proposed))
        : ConvertWithBehaviorRate(now, currentReplicas, StabilizeWithBehaviors(now, currentReplicas, proposed));

    /// <summary>storeScaleEvent: the controller remembers each rescale (only when a behavior is set) for the rate limits.</summary>
    public void RecordScale(double now, int from, int to)
    {
        if (Behavior is null || from == to)
        {
            return;
        }
        (to > from ? _scaleUpEvents : _scaleDownEvents).Add((now, Math.Abs(to - from)));
    }

    private int StabilizeWithBehaviors(double now, int currentReplicas, int desired)
    {
        var upCutoff = now - Behavior!.ScaleUp.StabilizationWindowSeconds!.Value;
        var downCutoff = now - (Behavior.ScaleDown.StabilizationWindowSeconds ?? DefaultDownscaleStabilizationSeconds);
        var up = desired;
        var down = desired;
        var oldIndex = -1;
        for (var i = 0; i < _recommendations.Count; i++)
        {
            var (at, replicas) = _recommendations[i];
            if (at > upCutoff)
            {
                up = Math.Min(up, replicas); // scale up only to the lowest recommendation of the up window
            }
            if (at > downCutoff)
            {
                down = Math.Max(down, replicas); // scale down only to the highest recommendation of the down window
            }
            if (at < upCutoff && at < downCutoff)
            {
                oldIndex = i;
            }
        }
        var recommendation = Math.Min(Math.Max(currentReplicas, up), down);
        Remember(oldIndex, now, desired);
        return recommendation;
    }

    private int ConvertWithBehaviorRate(double now, int currentReplicas, int desired)
    {
        if (desired > currentReplicas)
        {
            var limit = Math.Max(currentReplicas, ScaleUpLimit(now, currentReplicas, Behavior!.ScaleUp));
            return Math.Min(desired, Math.Min(MaxReplicas, limit));
        }
        if (desired < currentReplicas)
        {
            var limit = Math.Min(currentReplicas, ScaleDownLimit(now, currentReplicas, Behavior!.ScaleDown));
            return Math.Max(desired, Math.Max(MinReplicas, limit));
        }
        return desired;
    }

    /// <summary>calculateScaleUpLimitWithScalingRules: each policy from the replica count at the start of its period.</summary>
    private int ScaleUpLimit(double now, int currentReplicas, ScalingRules rules)
    {
        if (rules.SelectPolicy == SelectPolicy.Disabled)
        {
            return currentReplicas;
        }
        var result = rules.SelectPolicy == SelectPolicy.Min ? int.MaxValue : int.MinValue;
        foreach (var policy in rules.Policies)
        {
            var periodStart = currentReplicas - ChangeInPeriod(now, policy.PeriodSeconds, _scaleUpEvents)
                + ChangeInPeriod(now, policy.PeriodSeconds, _scaleDownEvents);
            var proposed = policy.Type == ScalingPolicyType.Pods
                ? periodStart + policy.Value
                : (int)Math.Ceiling(periodStart * (1 + (policy.Value / 100.0)));
            result = rules.SelectPolicy == SelectPolicy.Min ? Math.Min(result, proposed) : Math.Max(result, proposed);
        }
        return result;
    }

    /// <summary>calculateScaleDownLimitWithBehaviors (a Percent proposal is truncated, not rounded up).</summary>
    private int ScaleDownLimit(double now, int currentReplicas, ScalingRules rules)
    {
        if (rules.SelectPolicy == SelectPolicy.Disabled)
        {
            return currentReplicas;
        }
        var result = rules.SelectPolicy == SelectPolicy.Min ? int.MinValue : int.MaxValue;
        foreach (var policy in rules.Policies)
        {
            var periodStart = currentReplicas - ChangeInPeriod(now, policy.PeriodSeconds, _scaleUpEvents)
                + ChangeInPeriod(now, policy.PeriodSeconds, _scaleDownEvents);
            var proposed = policy.Type == ScalingPolicyType.Pods
                ? periodStart - policy.Value
                : (int)(periodStart * (1 - (policy.Value / 100.0)));
            result = rules.SelectPolicy == SelectPolicy.Min ? Math.Max(result, proposed) : Math.Min(result, proposed);
        }
        return result;
    }

    private static int ChangeInPeriod(double now, int periodSeconds, List<(double At, int Change)> events) =>
        events.Where(e => e.At > now - periodSeconds).Sum(e => e.Change);

    /// <summary>stabilizeRecommendation (no behavior): the highest recommendation of the last 300 s.</summary>
    private int StabilizeLegacy(double now, int desired)
    {
        var cutoff = now - DefaultDownscaleStabilizationSeconds;
        var max = desired;
        var oldIndex = -1;
        for (var i = 0; i < _recommendations.Count; i++)
        {
            var (at, replicas) = _recommendations[i];
            if (at < cutoff)
            {
                oldIndex = i;
            }
            else if (replicas > max)
            {
                max = replicas;
            }
        }
        Remember(oldIndex, now, desired);
        return max;
    }

    /// <summary>convertDesiredReplicasWithRules: min, then max(2 x current, 4) capped by max.</summary>
    private int ConvertWithRules(int currentReplicas, int desired)
    {
        var scaleUpLimit = (int)Math.Max(2.0 * currentReplicas, 4.0);
        var maximum = Math.Min(MaxReplicas, scaleUpLimit);
        return desired < MinReplicas ? MinReplicas : desired > maximum ? maximum : desired;
    }

    private void Remember(int oldIndex, double now, int desired)
    {
        if (oldIndex >= 0)
        {
            _recommendations[oldIndex] = (now, desired); // the controller reuses one expired slot
        }
        else
        {
            _recommendations.Add((now, desired));
        }
    }
}
