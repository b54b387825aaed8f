namespace ElasticRedPacket.Capacity.Tests;

/// <summary>groupPods: which pods the CPU calculation trusts, inside and after the 5-minute initialization period.</summary>
public sealed class PodGroupingTests
{
    private static readonly PodMetric Sample = new(500, Timestamp: 100, Window: 15);

    [Fact]
    public void Classify_Pending_IsUnready() =>
        Assert.Equal(PodGroup.Unready, PodGrouping.Classify(new PodView(90, Running: false, Ready: false, 90), Sample, 100));

    [Fact]
    public void Classify_RunningWithoutSample_IsMissing() =>
        Assert.Equal(PodGroup.Missing, PodGrouping.Classify(new PodView(50, true, true, 60), null, 100));

    [Fact]
    public void Classify_Deleting_IsIgnored() =>
        Assert.Equal(PodGroup.Ignored, PodGrouping.Classify(new PodView(0, true, true, 10, Deleting: true), Sample, 100));

    [Fact]
    public void Classify_ReadyLessThanOneWindowInsideInitPeriod_IsUnready() =>
        // ready at 90, sample at 100 < 90 + 15: the sample may hold start-up CPU
        Assert.Equal(PodGroup.Unready, PodGrouping.Classify(new PodView(80, true, true, 90), Sample, 100));

    [Fact]
    public void Classify_ReadyForAWindowInsideInitPeriod_IsReady() =>
        Assert.Equal(PodGroup.Ready, PodGrouping.Classify(new PodView(70, true, true, 85), Sample, 100));

    [Fact]
    public void Classify_NotReadyAfterInitPeriod_OnlyUnreadyIfNeverReady()
    {
        // started at 0, now 400 (past 300 s): not ready since 350, was ready before (transition long after start + 30 s)
        Assert.Equal(PodGroup.Ready, PodGrouping.Classify(new PodView(0, true, false, 350), Sample with { Timestamp = 400 }, 400));
        // never became ready: its Ready=False transition is within 30 s of the start
        Assert.Equal(PodGroup.Unready, PodGrouping.Classify(new PodView(0, true, false, 5), Sample with { Timestamp = 400 }, 400));
    }
}
