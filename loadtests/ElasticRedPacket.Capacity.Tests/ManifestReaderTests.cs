using ElasticRedPacket.Capacity.Manifests;
using ElasticRedPacket.TestSupport;

namespace ElasticRedPacket.Capacity.Tests;

/// <summary>The autoscalers as kubectl kustomize renders the repository's overlays (no retyped values).</summary>
public sealed class ManifestReaderTests
{
    private static readonly Lazy<ClusterManifests> Prod = new(() => ManifestReader.FromOverlay(StackEnvironment.RepoRoot, "prod"));
    private static readonly Lazy<ClusterManifests> Local = new(() => ManifestReader.FromOverlay(StackEnvironment.RepoRoot, "local"));

    [Fact]
    public void FromOverlay_Prod_RedpacketScaledObjectWithPatchedFloorsAndCron()
    {
        var redpacket = Prod.Value.AutoscalerFor("redpacket")!;

        Assert.True(redpacket.IsKeda);
        Assert.Equal((6, 30, 5), (redpacket.MinReplicas, redpacket.MaxReplicas, redpacket.PollingIntervalSeconds));
        var queue = Assert.Single(redpacket.Metrics.OfType<QueueLengthMetric>());
        Assert.Equal((2000.0, 1.0, "http"), (queue.Target, queue.Activation, queue.Protocol));
        Assert.Equal(60, Assert.Single(redpacket.Metrics.OfType<CpuUtilizationMetric>()).TargetUtilization);
        Assert.Equal(new CronMetric("campaign-prescale", "Asia/Shanghai", "45 19 * * *", "30 0 * * *", 16), redpacket.Cron);
        Assert.Equal((0, SelectPolicy.Max), (redpacket.Behavior!.ScaleUp.StabilizationWindowSeconds, redpacket.Behavior.ScaleUp.SelectPolicy));
        Assert.Equal([new(ScalingPolicyType.Percent, 100, 15), new(ScalingPolicyType.Pods, 4, 15)], redpacket.Behavior.ScaleUp.Policies);
        Assert.Equal(300, redpacket.Behavior.ScaleDown.StabilizationWindowSeconds);
        Assert.Equal(500, Prod.Value.Deployment("redpacket")!.RequestMilliCores);
    }

    [Fact]
    public void FromOverlay_Prod_AccountHpa()
    {
        var account = Prod.Value.AutoscalerFor("account")!;

        Assert.Equal(("HorizontalPodAutoscaler", 6, 24), (account.Kind, account.MinReplicas, account.MaxReplicas));
        Assert.Equal(60, Assert.Single(account.Metrics.OfType<CpuUtilizationMetric>()).TargetUtilization);
        Assert.Equal(SelectPolicy.Min, account.Behavior!.ScaleDown.SelectPolicy);
        Assert.Equal(new ScalingPolicy(ScalingPolicyType.Percent, 25, 60), Assert.Single(account.Behavior.ScaleDown.Policies));
    }

    [Fact]
    public void FromOverlay_Prod_MonitorBehaviorDefaultsFilled()
    {
        var monitor = Prod.Value.AutoscalerFor("monitor")!;

        // scaleUp gives only a Pods policy: selectPolicy defaults to Max.
        Assert.Equal(SelectPolicy.Max, monitor.Behavior!.ScaleUp.SelectPolicy);
        Assert.Equal(new ScalingPolicy(ScalingPolicyType.Pods, 2, 30), Assert.Single(monitor.Behavior.ScaleUp.Policies));
        Assert.Equal(500, Assert.Single(monitor.Metrics.OfType<QueueLengthMetric>()).Target);
        Assert.Equal(10, monitor.PollingIntervalSeconds);
    }

    [Fact]
    public void FromOverlay_Local_SmallCeilingsAndRequests()
    {
        Assert.Equal((2, 4), (Local.Value.AutoscalerFor("redpacket")!.MinReplicas, Local.Value.AutoscalerFor("redpacket")!.MaxReplicas));
        Assert.Equal(3, Local.Value.AutoscalerFor("webpage")!.MaxReplicas);
        Assert.Equal((50, 1000), (Local.Value.Deployment("redpacket")!.RequestMilliCores, Local.Value.Deployment("redpacket")!.LimitMilliCores));
        Assert.Equal(4, Local.Value.Autoscalers.Count);
    }

    [Fact]
    public void Parse_HpaWithoutMetricsOrBehavior_DefaultsTo80PercentCpuAndLegacyRules()
    {
        var manifests = ManifestReader.Parse("""
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: web}
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
              maxReplicas: 5
            """, "inline");

        var hpa = Assert.Single(manifests.Autoscalers);
        Assert.Equal(80, Assert.IsType<CpuUtilizationMetric>(Assert.Single(hpa.Metrics)).TargetUtilization);
        Assert.Null(hpa.Behavior);
        Assert.Equal(1, hpa.MinReplicas);
    }

    [Theory]
    [InlineData("500m", 500)]
    [InlineData("2", 2000)]
    [InlineData("1.5", 1500)]
    public void MilliCores_KubernetesQuantities(string quantity, long expected) => Assert.Equal(expected, Yaml.MilliCores(quantity));

    [Fact]
    public void CronSchedule_Place_WindowAroundTheSpike()
    {
        var cron = Prod.Value.AutoscalerFor("redpacket")!.Cron!;

        // 19:45 - 00:30, spike at 20:00 at second 60 of the profile: open 15 min before it, closing 4 h 30 min after.
        Assert.Equal(new Simulator.CronWindow(60 - 900, 60 + 16_200), CronSchedule.Place(cron, new TimeOnly(20, 0), 60));
        Assert.Equal("43 19 * * *", CronSchedule.StartBefore(cron.Start, new TimeOnly(20, 0), 17 * 60 - 30));
    }
}
