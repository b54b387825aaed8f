using ElasticRedPacket.LoadTests.Client;
using ElasticRedPacket.LoadTests.Load;
using ElasticRedPacket.LoadTests.Metrics;
using ElasticRedPacket.ServiceDefaults.Messaging;

namespace ElasticRedPacket.LoadTests.Scenarios;

/// <summary>
/// operator: the grab-peak load with operators at work in the same stream: every
/// --operator-every-th request reads the campaign's statistics from monitor, and every
/// --issue-every-th of those issues a small new campaign. Operator requests have their own
/// outcomes (monitor_read, campaign_issued) and latencies; the audit covers the grabbed campaign.
/// </summary>
public sealed class OperatorScenario : GrabPeakScenario
{
    public override string Name => "operator";

    public override string Description => "users grab while operators issue campaigns and read the monitor";

    public override async Task<ILoadTarget> PrepareAsync(RunContext context, CancellationToken cancellationToken)
    {
        var grab = await base.PrepareAsync(context, cancellationToken);
        return new OperatorMixTarget((GrabTarget)grab, context.Setup, context.Options.OperatorEvery, context.Options.IssueEvery);
    }

    private sealed class OperatorMixTarget(GrabTarget grab, ErpClient operatorClient, int operatorEvery, int issueEvery) : ILoadTarget
    {
        private readonly int _read = GrabOutcomes.All.Count;
        private readonly int _issued = GrabOutcomes.All.Count + 1;
        private long _operatorActions;

        public OutcomeSet Outcomes { get; } = new([.. GrabOutcomes.All, "monitor_read", "campaign_issued"]);

        public async ValueTask<Sample> ExecuteAsync(long sequence, CancellationToken cancellationToken)
        {
            if (sequence % operatorEvery != operatorEvery - 1)
            {
                var sample = await grab.ExecuteAsync(sequence, cancellationToken);
                return sample.Outcome == grab.Outcomes.HttpError ? sample with { Outcome = Outcomes.HttpError }
                    : sample.Outcome == grab.Outcomes.TransportError ? sample with { Outcome = Outcomes.TransportError }
                    : sample;
            }
            try
            {
                if (Interlocked.Increment(ref _operatorActions) % issueEvery == 0)
                {
                    var spec = new CampaignSpec($"load operator {sequence}", 10_000, 100, 2, 1, null);
                    await operatorClient.CreateCampaignAsync(spec, cancellationToken);
                    return new Sample(_issued, 201, 0, 0);
                }
                await operatorClient.GetCampaignAsync(grab.CampaignId, cancellationToken);
                return new Sample(_read, 200, 0, 0);
            }
            catch (HarnessException ex)
            {
                return new Sample(Outcomes.HttpError, (int?)ex.Status ?? 0, 0, 0);
            }
        }
    }
}
