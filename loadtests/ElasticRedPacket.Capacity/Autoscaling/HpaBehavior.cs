namespace ElasticRedPacket.Capacity.Autoscaling;

public enum ScalingPolicyType
{
    Pods,
    Percent,
}

/// <summary>spec.behavior.scale{Up,Down}.selectPolicy: Max (the default) takes the policy allowing the biggest change.</summary>
public enum SelectPolicy
{
    Max,
    Min,
    Disabled,
}

/// <summary>One autoscaling/v2 HPAScalingPolicy: at most Value pods (or Value percent) per PeriodSeconds.</summary>
public sealed record ScalingPolicy(ScalingPolicyType Type, int Value, int PeriodSeconds);

/// <summary>
/// HPAScalingRules as written in a manifest: any field may be absent (null) and is then filled from
/// the defaults the API server applies (k8s pkg/apis/autoscaling/v2/defaults.go, copyHPAScalingRules).
/// </summary>
public sealed record ScalingRulesSpec(int? StabilizationWindowSeconds, SelectPolicy? SelectPolicy, IReadOnlyList<ScalingPolicy>? Policies);

/// <summary>HPAScalingRules after defaulting. A null window on scale-down means the controller's 300 s default.</summary>
public sealed record ScalingRules(int? StabilizationWindowSeconds, SelectPolicy SelectPolicy, IReadOnlyList<ScalingPolicy> Policies);

/// <summary>spec.behavior after defaulting (GenerateHPAScaleUpRules / GenerateHPAScaleDownRules).</summary>
public sealed record HpaBehavior(ScalingRules ScaleUp, ScalingRules ScaleDown)
{
    /// <summary>Scale up: 4 pods or 100 % per 15 s, whichever is more, no stabilization.</summary>
    public static ScalingRules DefaultScaleUp { get; } = new(0, SelectPolicy.Max,
        [new(ScalingPolicyType.Pods, 4, 15), new(ScalingPolicyType.Percent, 100, 15)]);

    /// <summary>Scale down: 100 % per 15 s; the window stays null so the controller uses its 300 s default.</summary>
    public static ScalingRules DefaultScaleDown { get; } = new(null, SelectPolicy.Max, [new(ScalingPolicyType.Percent, 100, 15)]);

    public static HpaBehavior Default { get; } = new(DefaultScaleUp, DefaultScaleDown);

    /// <summary>A behavior given in a manifest (either side may be absent) with the API server's defaults filled in.</summary>
    public static HpaBehavior FromSpec(ScalingRulesSpec? scaleUp, ScalingRulesSpec? scaleDown) =>
        new(Fill(scaleUp, DefaultScaleUp), Fill(scaleDown, DefaultScaleDown));

    private static ScalingRules Fill(ScalingRulesSpec? spec, ScalingRules defaults) => spec is null
        ? defaults
        : new(spec.StabilizationWindowSeconds ?? defaults.StabilizationWindowSeconds, spec.SelectPolicy ?? defaults.SelectPolicy,
            spec.Policies ?? defaults.Policies);
}
