using ElasticRedPacket.LoadTests.Client;
using ElasticRedPacket.LoadTests.Load;

namespace ElasticRedPacket.LoadTests.Scenarios;

/// <summary>trivial: GET of a trivial endpoint through the same ingress (--path, default webpage's /healthz): the ceiling for the ratio benchmark.</summary>
public sealed class TrivialScenario : Scenario
{
    public override string Name => "trivial";

    public override string Description => "GET a trivial endpoint through the ingress (the ceiling the grab path is compared with)";

    protected override double DefaultRate => 5000;

    public override Task<ILoadTarget> PrepareAsync(RunContext context, CancellationToken cancellationToken) =>
        Task.FromResult<ILoadTarget>(new TrivialTarget(context.Load, context.Options.TrivialPath));
}
