using ElasticRedPacket.LoadTests.Audit;
using ElasticRedPacket.LoadTests.Cli;
using ElasticRedPacket.LoadTests.Load;

namespace ElasticRedPacket.LoadTests.Scenarios;

/// <summary>A named load: what it sets up through the public APIs, the request it repeats, its phases and its audit.</summary>
public abstract class Scenario
{
    public abstract string Name { get; }

    public abstract string Description { get; }

    protected virtual double DefaultRate => 1000;

    public abstract Task<ILoadTarget> PrepareAsync(RunContext context, CancellationToken cancellationToken);

    public virtual IReadOnlyList<Simulation> Phases(RunOptions options) => options.Phases is { } spec
        ? PhaseSpec.Parse(spec)
        : PhaseSpec.Steady(options.Rate ?? DefaultRate, options.VirtualUsers, options.Warmup, options.Duration);

    /// <summary>The guarantee audit after the load (null: nothing to audit).</summary>
    public virtual Task<AuditReport?> AuditAsync(RunContext context, CancellationToken cancellationToken) => Task.FromResult<AuditReport?>(null);

    /// <summary>After the audit: what --close-after asks (nothing for a scenario without a campaign).</summary>
    public virtual Task FinishAsync(RunContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    public static Scenario Create(string name) => name switch
    {
        "grab-peak" => new GrabPeakScenario(),
        "holiday-spike" => new HolidaySpikeScenario(),
        "operator" => new OperatorScenario(),
        "trivial" => new TrivialScenario(),
        _ => throw new UsageException($"unknown scenario '{name}'"),
    };
}
