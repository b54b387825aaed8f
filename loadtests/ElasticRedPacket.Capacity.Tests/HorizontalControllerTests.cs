namespace ElasticRedPacket.Capacity.Tests;

/// <summary>reconcileAutoscaler: several metrics (the max wins), invalid metrics, the min/max jumps.</summary>
public sealed class HorizontalControllerTests
{
    private static HorizontalController Controller(int min = 2, int max = 20) => new(new ReplicaNormalizer(HpaBehavior.Default, min, max));

    [Fact]
    public void Sync_SeveralMetrics_TheHighestProposalWins()
    {
        var decision = Controller().Sync(0, 4, [new(5, 70), new(7, 14_000), new(4, 4)]);

        Assert.Equal(7, decision.Replicas);
    }

    [Fact]
    public void Sync_OneMetricInvalidAndTheRestAskFewer_NoChange()
    {
        Assert.Equal(6, Controller().Sync(0, 6, [null, new(3, 10)]).Replicas);
        Assert.Equal(8, Controller().Sync(0, 6, [null, new(8, 10)]).Replicas); // scaling up is still allowed
        Assert.Equal(6, Controller().Sync(0, 6, [null, null]).Replicas);
    }

    [Fact]
    public void Sync_OutsideMinMax_JumpsToTheBound()
    {
        Assert.Equal(2, Controller(min: 2).Sync(0, 1, [new(1, 0)]).Replicas);
        Assert.Equal(20, Controller(max: 20).Sync(0, 25, [new(30, 0)]).Replicas);
    }

    [Fact]
    public void Sync_Rescale_IsRememberedForTheRateLimit()
    {
        var controller = Controller(min: 1, max: 100);

        Assert.Equal(6, controller.Sync(0, 2, [new(50, 0)]).Replicas);
        Assert.Equal(6, controller.Sync(5, 6, [new(50, 0)]).Replicas); // the period that began at 2 is spent
    }
}
