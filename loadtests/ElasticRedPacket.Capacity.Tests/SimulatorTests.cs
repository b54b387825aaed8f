using ElasticRedPacket.Capacity.Manifests;
using ElasticRedPacket.Capacity.Model;
using ElasticRedPacket.Capacity.Simulator;

namespace ElasticRedPacket.Capacity.Tests;

/// <summary>The second-by-second loop on a small inline HPA: lag, readiness, shedding, and the planner's search.</summary>
public sealed class SimulatorTests
{
    // One pod: 100 req/s at 5 ms CPU each = 50 % of its 1-core request; the HPA targets 50 %.
    private static readonly AutoscalerSpec Hpa = new("HorizontalPodAutoscaler", "svc", "svc", 2, 10,
        [new CpuUtilizationMetric("cpu", 50)], HpaBehavior.Default, 15, []);

    private static readonly DeploymentCpu Cpu = new("svc", 1000, 2000);

    private static readonly ServiceModel Model = new("svc", CapacityPerReplica: 200, CpuSecondsPerRequest: 0.005, StartSeconds: 5, ReadySeconds: 10, BaseP99Ms: 20);

    private static readonly TrafficProfile Spike = TrafficProfile.FromSpec("inject:200:60s,inject:1000:90s");

    [Fact]
    public void Run_Spike_ScalesAfterTheMetricLagAndServesOnceReady()
    {
        var result = new ServiceSimulator(Hpa, Cpu, Model, new SimulationSettings(200, SyncOffset: 0)).Run(Spike);

        Assert.All(result.Rows.Take(60), r => Assert.Equal(2, r.Ready)); // 200/s on 2 pods is 50 %: on target
        var firstScale = result.Events[0];
        // the scrape at 75 is the first with a window of peak load; the sync at 75 sees it
        Assert.Equal(75, firstScale.Second);
        // Saturated pods report at most their capacity's CPU (100 % of request = 2 x target): the HPA
        // sees demand capped and asks only 4, not the 10 that 1000/s needs.
        Assert.Equal(4, firstScale.To);
        Assert.Equal(2, result.Rows[84].Ready);
        Assert.Equal(4, result.Rows[85].Ready);   // ReadySeconds later
        Assert.True(result.Rows[70].Shed > 0);    // 1000/s on 400/s of capacity: the backlog passes the timeout
        Assert.Equal(10_000, result.Rows[75].P99Ms); // bounded by the 10 s timeout
        Assert.Equal(10, result.Rows[^1].Ready);
        Assert.Equal(0, result.Rows[^1].Shed);
    }

    [Fact]
    public void Run_NewPodsDuringInitialization_DampTheNextScaleUp()
    {
        var result = new ServiceSimulator(Hpa, Cpu, Model, new SimulationSettings(200, SyncOffset: 0)).Run(Spike);

        // At 90 the 4 new pods are ready but their samples started before readiness + a window: unready,
        // counted at 0 %; the HPA may not jump straight to the CPU-proportional count.
        var second = result.Events[1];
        Assert.True(second.Second >= 90);
        Assert.True(second.To <= 10);
    }

    [Fact]
    public void Planner_RecommendedFloor_MeetsTheSloAndOneLessDoesNot()
    {
        var plan = Planner.Plan(Hpa, Cpu, Model, Spike, new SimulationSettings(200));

        Assert.Equal(6, plan.NeededAtPeak); // 1000/s needs 6 x 200/s with the M/M/c tail under 200 ms
        Assert.NotNull(plan.RecommendedMin);
        Assert.True(plan.WithMin!.MeetsSlo);
        Assert.False(plan.Current.MeetsSlo);
        var oneLess = Planner.WorstPhase(Hpa with { MinReplicas = plan.RecommendedMin!.Value - 1 }, Cpu, Model, Spike, new SimulationSettings(200));
        Assert.False(oneLess.MeetsSlo);
    }

    [Fact]
    public void Planner_CronLead_FoundAndShorterLeadsFail()
    {
        var keda = Hpa with { Kind = "ScaledObject", Metrics = [new CpuUtilizationMetric("cpu", 50), new CronMetric("c", "", "", "", 4)] };

        var plan = Planner.Plan(keda, Cpu, Model, Spike, new SimulationSettings(200));

        Assert.Equal(6, plan.CronDesired);
        Assert.NotNull(plan.LeadSeconds);
        Assert.True(plan.WithPrescale!.MeetsSlo);
        // ready needs 10 s after the sync that sees the window: at least one sync period + ReadySeconds
        Assert.InRange(plan.LeadSeconds!.Value, 15, 30);
    }

    [Fact]
    public void Run_PacketsQueue_KedaAsksForQueueOverTarget()
    {
        var keda = Hpa with { Kind = "ScaledObject", Metrics = [new QueueLengthMetric("q", "erp.campaign.x.packets", 1000, 1, "http", false)] };
        var model = Model with { QueueSource = QueueSource.Packets };

        var result = new ServiceSimulator(keda, Cpu, model, new SimulationSettings(200, Releases: [new(20, 8000)], SyncOffset: 0)).Run(Spike);

        // released at 20; the statistics tick at 30 shows 8000 - 10 s x 200/s claimed; the sync at 30 asks ceil(6000 / 1000)
        Assert.Equal(new ScaleEvent(30, 2, 6, "metrics ask 6"), result.Events[0]);
    }
}
