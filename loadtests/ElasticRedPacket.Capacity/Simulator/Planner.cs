using ElasticRedPacket.Capacity.Manifests;
using ElasticRedPacket.Capacity.Model;

namespace ElasticRedPacket.Capacity.Simulator;

/// <summary>What the planner found for one service.</summary>
/// <param name="Current">the manifests as they are, worst over the HPA sync phase.</param>
/// <param name="NeededAtPeak">the fewest ready replicas whose steady-state p99 at the peak rate is within the SLO.</param>
/// <param name="RecommendedMin">the lowest minReplicas that keeps p99 within the SLO with no cron pre-scale (null: not within maxReplicas).</param>
/// <param name="WithMin">the run with RecommendedMin.</param>
/// <param name="CronDesired">the cron trigger's desiredReplicas for the pre-scale (KEDA only).</param>
/// <param name="LeadSeconds">the least time the cron window must open before the spike (null: none found within the search).</param>
/// <param name="WithPrescale">the run with the cron pre-scale.</param>
public sealed record ServicePlan(
    ServiceModel Model,
    AutoscalerSpec Autoscaler,
    SimulationResult Current,
    int NeededAtPeak,
    int? RecommendedMin,
    SimulationResult? WithMin,
    int? CronDesired,
    int? LeadSeconds,
    SimulationResult? WithPrescale);

/// <summary>
/// Searches the overlay values that keep p99 within the SLO through the spike. Every candidate is
/// simulated at each HPA sync phase (0..14 s after the spike) and judged by its worst phase.
/// </summary>
public static class Planner
{
    public const int MaxLeadSeconds = 1800;
    public const int LeadStepSeconds = 15;

    public static ServicePlan Plan(AutoscalerSpec autoscaler, DeploymentCpu cpu, ServiceModel model, TrafficProfile profile, SimulationSettings settings)
    {
        var current = WorstPhase(autoscaler, cpu, model, profile, settings);
        var needed = NeededAtPeak(autoscaler, cpu, model, profile, settings);

        // A floor alone: no cron window, the autoscaler reacting from minReplicas.
        var reactive = autoscaler with { Metrics = [.. autoscaler.Metrics.Where(m => m is not CronMetric)] };
        int? min = null;
        SimulationResult? withMin = null;
        for (var m = 1; m <= autoscaler.MaxReplicas && min is null; m++)
        {
            var run = WorstPhase(reactive with { MinReplicas = m }, cpu, model, profile, settings);
            if (run.MeetsSlo)
            {
                (min, withMin) = (m, run);
            }
        }

        // A pre-scale: KEDA's cron trigger at the replicas the peak needs, opening LeadSeconds before the spike.
        int? cronDesired = null, lead = null;
        SimulationResult? withPrescale = null;
        if (autoscaler.IsKeda)
        {
            cronDesired = Math.Min(autoscaler.MaxReplicas, Math.Max(needed, autoscaler.Cron?.DesiredReplicas ?? 0));
            var cron = autoscaler.Cron ?? new CronMetric("prescale", "", "", "", cronDesired.Value);
            var prescaled = reactive with { Metrics = [.. reactive.Metrics, cron with { DesiredReplicas = cronDesired.Value }] };
            for (var l = 0; l <= MaxLeadSeconds && lead is null; l += LeadStepSeconds)
            {
                var window = new CronWindow(profile.SpikeStart - l, int.MaxValue / 2);
                var run = WorstPhase(prescaled, cpu, model, profile,
                    settings with { Cron = window, PreludeSeconds = Math.Max(settings.PreludeSeconds, l - profile.SpikeStart + 60) });
                if (run.MeetsSlo)
                {
                    (lead, withPrescale) = (l, run);
                }
            }
        }
        return new(model, autoscaler, current, needed, min, withMin, cronDesired, lead, withPrescale);
    }

    /// <summary>The run at every sync phase; the worst one.</summary>
    public static SimulationResult WorstPhase(AutoscalerSpec autoscaler, DeploymentCpu cpu, ServiceModel model, TrafficProfile profile, SimulationSettings settings) =>
        SimulationResult.Worst(Enumerable.Range(0, settings.SyncPeriodSeconds)
            .Select(offset => new ServiceSimulator(autoscaler, cpu, model, settings with { SyncOffset = offset }).Run(profile)));

    /// <summary>The fewest ready replicas whose p99 at the peak rate (no backlog) is within the SLO; maxReplicas + 1 if none is.</summary>
    public static int NeededAtPeak(AutoscalerSpec autoscaler, DeploymentCpu cpu, ServiceModel model, TrafficProfile profile, SimulationSettings settings)
    {
        var simulator = new ServiceSimulator(autoscaler, cpu, model, settings);
        var peak = profile.Peak * model.RequestsPerGrab;
        for (var n = 1; n <= Math.Max(autoscaler.MaxReplicas, 1000); n++)
        {
            if (peak < n * simulator.ServiceRate && simulator.PredictP99Ms(n, peak, simulator.ServiceRate, 0) <= settings.SloP99Ms)
            {
                return n;
            }
        }
        return autoscaler.MaxReplicas + 1;
    }
}
