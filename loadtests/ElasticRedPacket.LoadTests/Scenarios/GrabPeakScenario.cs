using System.Diagnostics;
using ElasticRedPacket.LoadTests.Audit;
using ElasticRedPacket.LoadTests.Client;
using ElasticRedPacket.LoadTests.Load;

namespace ElasticRedPacket.LoadTests.Scenarios;

/// <summary>
/// grab-peak: creates the users (bulk), logs them in, issues a campaign whose batches are released
/// during the load, then grabs at the target rate (user i mod accounts). The audit compares the
/// ledger, the queue and monitor with what the harness counted.
/// </summary>
public class GrabPeakScenario : Scenario
{
    private GrabTarget? _grab;
    private CampaignSpec? _campaign;

    public override string Name => "grab-peak";

    public override string Description => "users log in, a campaign is issued, grabs at a rate during its batch releases";

    protected override double DefaultRate => 2000;

    protected GrabTarget Grab => _grab ?? throw new InvalidOperationException("PrepareAsync first");

    public override async Task<ILoadTarget> PrepareAsync(RunContext context, CancellationToken cancellationToken)
    {
        _grab = await PrepareGrabAsync(context, cancellationToken);
        return _grab;
    }

    protected async Task<GrabTarget> PrepareGrabAsync(RunContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var users = new UserProvisioner(context.Setup, context.Log);
        await users.CreateAsync(options.UserIdFrom, options.Accounts, cancellationToken);
        var authorization = await users.LoginAllAsync(options.UserIdFrom, options.Accounts, options.LoginParallelism, cancellationToken);

        var now = DateTimeOffset.UtcNow;
        _campaign = new CampaignSpec(
            $"load {Name} {now:yyyy-MM-dd HH:mm:ss}", options.TotalCents ?? options.Packets * 100L, options.Packets, options.Batches,
            (int)Math.Round(options.Interval.TotalSeconds), now + options.StartDelay);
        var campaignId = await context.Setup.CreateCampaignAsync(_campaign, cancellationToken);
        await context.Log.WriteLineAsync(
            $"campaign {campaignId}: {_campaign.PacketCount} packets, {_campaign.TotalCents} cents, {_campaign.BatchCount} batches every {_campaign.IntervalSeconds} s from {_campaign.StartsAt:HH:mm:ss}");
        if (options.AwaitRelease is { } limit)
        {
            await AwaitReleaseAsync(context, campaignId, limit, cancellationToken);
        }
        return new GrabTarget(context.Load, campaignId, authorization);
    }

    /// <summary>Polls monitor until every packet is released (a progress line every 2 s); past the limit the run stops with exit 3.</summary>
    private static async Task AwaitReleaseAsync(RunContext context, long campaignId, TimeSpan limit, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var lastLine = started;
        while (true)
        {
            var view = await context.Setup.GetCampaignAsync(campaignId, cancellationToken);
            var waited = Stopwatch.GetElapsedTime(started);
            if (view.Released >= view.PacketCount)
            {
                await context.Log.WriteLineAsync($"campaign {campaignId}: all {view.PacketCount} packets released after {waited.TotalSeconds:0.0} s (--await-release)");
                return;
            }
            if (waited > limit)
            {
                throw new HarnessException($"--await-release: campaign {campaignId} has {view.Released} of {view.PacketCount} packets released after {limit.TotalSeconds:0} s");
            }
            if (Stopwatch.GetElapsedTime(lastLine) >= TimeSpan.FromSeconds(2))
            {
                lastLine = Stopwatch.GetTimestamp();
                await context.Log.WriteLineAsync($"campaign {campaignId}: {view.Released} of {view.PacketCount} packets released, waiting (--await-release)");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    public override async Task FinishAsync(RunContext context, CancellationToken cancellationToken)
    {
        if (context.Options.CloseAfter && _grab is { } grab)
        {
            await context.Setup.CloseCampaignAsync(grab.CampaignId, cancellationToken);
            await context.Log.WriteLineAsync($"campaign {grab.CampaignId}: closed (--close-after)");
        }
    }

    public override async Task<AuditReport?> AuditAsync(RunContext context, CancellationToken cancellationToken)
    {
        var grab = Grab;
        var sources = new AuditSources(context.Postgres, context.RabbitMq, context.RabbitManagement, context.Options.AuditSettle);
        var runner = new AuditRunner(context.Setup, sources, context.Log);
        return await runner.RunAsync(grab.CampaignId, _campaign!.TotalCents, () => new HarnessCounts(grab.AllCounts(), grab.WonCents, context.Options.AuditCutOff),
            context.Options.AuditWait, cancellationToken);
    }
}
