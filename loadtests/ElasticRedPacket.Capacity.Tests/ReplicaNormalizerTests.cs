namespace ElasticRedPacket.Capacity.Tests;

/// <summary>
/// Stabilization windows and rate limits against the HPA documentation's "Configurable scaling
/// behavior" examples and horizontal.go (calculateScaleUpLimitWithScalingRules and friends).
/// </summary>
public sealed class ReplicaNormalizerTests
{
    private static ScalingPolicy Pods(int value, int period = 15) => new(ScalingPolicyType.Pods, value, period);

    private static ScalingPolicy Percent(int value, int period = 15) => new(ScalingPolicyType.Percent, value, period);

    private static HpaBehavior Behavior(ScalingRules? up = null, ScalingRules? down = null) =>
        new(up ?? HpaBehavior.DefaultScaleUp, down ?? new ScalingRules(0, SelectPolicy.Max, [Percent(100)]));

    [Fact]
    public void Normalize_ScaleDownStabilization_TakesTheHighestRecommendationOfTheWindow()
    {
        var normalizer = new ReplicaNormalizer(Behavior(down: new(60, SelectPolicy.Max, [Percent(100)])), 1, 20);

        Assert.Equal(10, normalizer.Normalize(0, 10, 10));
        Assert.Equal(10, normalizer.Normalize(15, 10, 4));  // 10 (t=0) is still in the window
        Assert.Equal(10, normalizer.Normalize(30, 10, 6));
        Assert.Equal(6, normalizer.Normalize(61, 10, 3));   // t=0 left the window: max(4, 6, 3)
    }

    [Fact]
    public void Normalize_DefaultScaleUp_FourPodsOrHundredPercentPerFifteenSeconds()
    {
        var normalizer = new ReplicaNormalizer(HpaBehavior.Default, 1, 100);

        var first = normalizer.Normalize(0, 2, 40);
        normalizer.RecordScale(0, 2, first);
        Assert.Equal(6, first);                              // max(2 + 4, 2 * 2)
        Assert.Equal(6, normalizer.Normalize(10, 6, 40));    // same period: it started at 2, max(6, 4)
        var third = normalizer.Normalize(15, 6, 40);         // a new period: max(6 + 4, 12)
        normalizer.RecordScale(15, 6, third);
        Assert.Equal(12, third);
    }

    [Fact]
    public void Normalize_DocsScaleDownExample_EightThenEightThenFourPods()
    {
        // kubernetes.io HPA docs: Pods 4 / 60 s and Percent 10 / 60 s; 80 replicas down to 10: first 8 go,
        // at 72 "10 % is 7.2, rounded up to 8"; below 40 the Pods policy removes 4 at a time.
        var normalizer = new ReplicaNormalizer(Behavior(down: new(0, SelectPolicy.Max, [Pods(4, 60), Percent(10, 60)])), 1, 100);

        var step1 = normalizer.Normalize(0, 80, 10);
        normalizer.RecordScale(0, 80, step1);
        Assert.Equal(72, step1);
        Assert.Equal(72, normalizer.Normalize(30, 72, 10)); // the 60 s period is used up
        var step2 = normalizer.Normalize(60, 72, 10);
        normalizer.RecordScale(60, 72, step2);
        Assert.Equal(64, step2);
        Assert.Equal(26, new ReplicaNormalizer(Behavior(down: new(0, SelectPolicy.Max, [Pods(4, 60), Percent(10, 60)])), 1, 100).Normalize(0, 30, 10));
    }

    [Theory]
    [InlineData(SelectPolicy.Max, 20)]      // the policy allowing the biggest change: +100 %
    [InlineData(SelectPolicy.Min, 14)]      // the smallest: +4 pods
    [InlineData(SelectPolicy.Disabled, 10)] // no scale-up at all
    public void Normalize_SelectPolicy_PicksAmongPodsAndPercent(SelectPolicy select, int expected)
    {
        var normalizer = new ReplicaNormalizer(Behavior(up: new(0, select, [Pods(4), Percent(100)])), 1, 100);

        Assert.Equal(expected, normalizer.Normalize(0, 10, 30));
    }

    [Fact]
    public void Normalize_ScaleDownSelectPolicyMin_RemovesTheFewest()
    {
        var normalizer = new ReplicaNormalizer(Behavior(down: new(0, SelectPolicy.Min, [Pods(2), Percent(50)])), 1, 100);

        Assert.Equal(18, normalizer.Normalize(0, 20, 1)); // Percent would allow 10, Pods 18: Min change = 18
    }

    [Fact]
    public void Normalize_ClampsToMinAndMax()
    {
        Assert.Equal(12, new ReplicaNormalizer(Behavior(up: new(0, SelectPolicy.Max, [Pods(100)])), 2, 12).Normalize(0, 4, 50));
        Assert.Equal(2, new ReplicaNormalizer(Behavior(), 2, 12).Normalize(0, 4, 1));
    }

    [Fact]
    public void Normalize_ScaleUpStabilizationWindow_TakesTheLowestRecommendation()
    {
        var normalizer = new ReplicaNormalizer(Behavior(up: new(30, SelectPolicy.Max, [Percent(1000)])), 1, 100);

        Assert.Equal(4, normalizer.Normalize(0, 4, 4));
        Assert.Equal(4, normalizer.Normalize(15, 4, 10)); // 4 from t=0 is in the 30 s up window
        Assert.Equal(10, normalizer.Normalize(31, 4, 12)); // min(10, 12)
    }

    [Fact]
    public void FromSpec_PartialBehavior_FilledWithApiDefaults()
    {
        var behavior = HpaBehavior.FromSpec(null, new ScalingRulesSpec(null, null, [Pods(1, 60)]));

        Assert.Equal(HpaBehavior.DefaultScaleUp, behavior.ScaleUp);
        Assert.Null(behavior.ScaleDown.StabilizationWindowSeconds); // the controller's 300 s
        Assert.Equal(SelectPolicy.Max, behavior.ScaleDown.SelectPolicy);
        Assert.Equal([Pods(1, 60)], behavior.ScaleDown.Policies);
    }

    [Fact]
    public void Normalize_DefaultScaleDown_WaitsThreeHundredSeconds()
    {
        var normalizer = new ReplicaNormalizer(HpaBehavior.Default, 1, 100);

        Assert.Equal(10, normalizer.Normalize(0, 10, 10));
        Assert.Equal(10, normalizer.Normalize(285, 10, 2));
        Assert.Equal(2, normalizer.Normalize(301, 10, 2)); // 100 % per 15 s: all the way down at once
    }

    [Fact]
    public void Normalize_NoBehavior_LegacyRules()
    {
        var normalizer = new ReplicaNormalizer(null, 1, 100);

        Assert.Equal(4, normalizer.Normalize(0, 1, 50));   // max(2 * 1, 4)
        Assert.Equal(12, normalizer.Normalize(15, 6, 50)); // 2 * 6, every sync (no period memory)
        Assert.Equal(50, normalizer.Normalize(300, 50, 3)); // 50 from t=15 is in the 300 s window
        Assert.Equal(3, normalizer.Normalize(316, 50, 3));
    }
}
