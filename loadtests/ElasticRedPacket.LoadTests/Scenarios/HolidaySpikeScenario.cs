using ElasticRedPacket.LoadTests.Cli;
using ElasticRedPacket.LoadTests.Load;

namespace ElasticRedPacket.LoadTests.Scenarios;

/// <summary>
/// holiday-spike: the grab-peak set-up, then a base rate and a 5x step to the peak within one
/// second (the seeds' 8K -> 40K QPS jump, scaled to this machine): base for --base-duration, a
/// one-second ramp, peak (--rate) for --duration.
/// </summary>
public sealed class HolidaySpikeScenario : GrabPeakScenario
{
    public override string Name => "holiday-spike";

    public override string Description => "base rate, then a 5x step to the peak within one second";

    public override IReadOnlyList<Simulation> Phases(RunOptions options)
    {
        if (options.Phases is { } spec)
        {
            return PhaseSpec.Parse(spec);
        }
        var peak = options.Rate ?? 10_000;
        var baseRate = options.BaseRate ?? peak / 5;
        var phases = new List<Simulation>();
        if (options.Warmup > TimeSpan.Zero)
        {
            phases.Add(new Inject(baseRate, options.Warmup) { IsWarmUp = true });
        }
        phases.Add(new Inject(baseRate, options.BaseDuration ?? TimeSpan.FromSeconds(10)));
        phases.Add(new RampingInject(baseRate, peak, TimeSpan.FromSeconds(1)));
        phases.Add(new Inject(peak, options.Duration));
        return phases;
    }
}
