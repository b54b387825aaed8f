namespace ElasticRedPacket.Capacity.Tests;

/// <summary>
/// The per-metric formula against the HPA documentation's algorithm section
/// (kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#algorithm-details) and
/// replica_calculator.go's handling of unready and missing pods.
/// </summary>
public sealed class ReplicaCalculatorTests
{
    private static PodCpu Ready(long milli, long request = 1000) => new(PodGroup.Ready, milli, request);

    [Fact]
    public void ResourceUtilization_DocsExample200mAgainst100m_Doubles()
    {
        // "if the current metric value is 200m, and the desired value is 100m, the number of replicas will be doubled"
        var pods = new[] { Ready(200), Ready(200), Ready(200) };

        var proposal = ReplicaCalculator.ResourceUtilization(3, pods, targetUtilization: 10)!;

        Assert.Equal(6, proposal.Replicas);
        Assert.Equal(20, proposal.Observed);
    }

    [Fact]
    public void ResourceUtilization_DocsExample50mAgainst100m_Halves()
    {
        var pods = new[] { Ready(50), Ready(50), Ready(50), Ready(50) };

        Assert.Equal(2, ReplicaCalculator.ResourceUtilization(4, pods, targetUtilization: 10)!.Replicas);
    }

    [Theory]
    [InlineData(65, 6)]  // ratio 1.083: within 10 %, no change
    [InlineData(54, 6)]  // 0.9: the edge of the tolerance, no change
    [InlineData(67, 7)]  // 1.117: ceil(1.117 * 6) = 7
    [InlineData(50, 5)]  // 0.833: ceil(0.833 * 6) = 5
    public void ResourceUtilization_Tolerance_NoChangeWithinTenPercent(long usagePercent, int expected)
    {
        var pods = Enumerable.Range(0, 6).Select(_ => Ready(usagePercent * 10)).ToList();

        Assert.Equal(expected, ReplicaCalculator.ResourceUtilization(6, pods, targetUtilization: 60)!.Replicas);
    }

    [Fact]
    public void ResourceUtilization_UtilisationTruncatedToWholePercent_AsMetricsClient()
    {
        // 3 pods at 200.9m of 1000m = 20.09 % -> 20 %, exactly the target 20: no change.
        var pods = new[] { Ready(201), Ready(201), Ready(200) };

        Assert.Equal(3, ReplicaCalculator.ResourceUtilization(3, pods, targetUtilization: 20)!.Replicas);
    }

    [Fact]
    public void ResourceUtilization_ScaleUpWithUnreadyPods_CountsThemAtZero()
    {
        // 2 ready pods at 100 % of target 50 (ratio 2.0) and 2 unready: 0 % for the unready ones
        // -> new ratio (100+100+0+0)/4 / 50 = 1.0 -> within tolerance: no scale-up while they start.
        var pods = new[] { Ready(1000), Ready(1000), new PodCpu(PodGroup.Unready, null, 1000), new PodCpu(PodGroup.Unready, null, 1000) };

        Assert.Equal(4, ReplicaCalculator.ResourceUtilization(4, pods, targetUtilization: 50)!.Replicas);
    }

    [Fact]
    public void ResourceUtilization_ScaleUpWithOneUnready_DampedByIt()
    {
        // Ready pods at 90 % and 90 %, target 30: ratio 3.0; with the unready at 0 %: 60 % -> ratio 2.0, ceil(2.0 * 3) = 6 (not 9).
        var pods = new[] { Ready(900), Ready(900), new PodCpu(PodGroup.Unready, null, 1000) };

        Assert.Equal(6, ReplicaCalculator.ResourceUtilization(3, pods, targetUtilization: 30)!.Replicas);
    }

    [Fact]
    public void ResourceUtilization_ScaleDownWithMissingPods_CountsThemAtHundredPercent()
    {
        // Ready pods at 10 % of target 50 (ratio 0.2); the missing one at 100 %: (10+10+100)/3 = 40 % -> 0.8, ceil(0.8 * 3) = 3
        // replicas stay 3 instead of ceil(0.2 * 2) = 1.
        var pods = new[] { Ready(100), Ready(100), new PodCpu(PodGroup.Missing, null, 1000) };

        Assert.Equal(3, ReplicaCalculator.ResourceUtilization(3, pods, targetUtilization: 50)!.Replicas);
    }

    [Fact]
    public void ResourceUtilization_ScaleUpWithMissingPods_CountsThemAtZero()
    {
        // Ready at 100 %, target 50 (ratio 2.0); missing at 0 %: 200/3 = 66 % -> 1.32, ceil(1.32 * 3) = 4.
        var pods = new[] { Ready(1000), Ready(1000), new PodCpu(PodGroup.Missing, null, 1000) };

        Assert.Equal(4, ReplicaCalculator.ResourceUtilization(3, pods, targetUtilization: 50)!.Replicas);
    }

    [Fact]
    public void ResourceUtilization_AssumptionsFlipDirection_NoChange()
    {
        // Ready at 55 %, target 50: ratio 1.1 (up) ... with an unready pod at 0 %: 36 % -> 0.73 (down): no change.
        var pods = new[] { Ready(560), Ready(560), new PodCpu(PodGroup.Unready, null, 1000) };

        Assert.Equal(3, ReplicaCalculator.ResourceUtilization(3, pods, targetUtilization: 50)!.Replicas);
    }

    [Fact]
    public void ResourceUtilization_NoReadyPodWithMetrics_IsInvalid()
    {
        var pods = new[] { new PodCpu(PodGroup.Unready, null, 1000), new PodCpu(PodGroup.Missing, null, 1000) };

        Assert.Null(ReplicaCalculator.ResourceUtilization(2, pods, 50));
    }

    [Theory]
    [InlineData(10_000, 2000, 2, 5)]   // KEDA QueueLength: ceil(10000 / 2000)
    [InlineData(10_001, 2000, 2, 6)]
    [InlineData(4_100, 2000, 2, 2)]    // 4100 / (2000 * 2) = 1.025: within tolerance, stay at 2
    [InlineData(0, 2000, 3, 0)]        // nothing queued asks for 0 (minReplicas then holds)
    [InlineData(16, 1, 6, 16)]         // KEDA cron: desiredReplicas against an AverageValue target of 1
    public void ExternalAverageValue_KedaQueueLength_CeilOfQueueOverTarget(double queue, double target, int status, int expected)
    {
        Assert.Equal(expected, ReplicaCalculator.ExternalAverageValue(status, queue, target).Replicas);
    }
}
