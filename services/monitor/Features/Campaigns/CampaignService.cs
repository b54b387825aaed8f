using ElasticRedPacket.Monitor.Data;
using ElasticRedPacket.Monitor.Messaging;
using ElasticRedPacket.ServiceDefaults.Messaging;

namespace ElasticRedPacket.Monitor.Features.Campaigns;

/// <summary>Issuing campaigns and reading them back with their live figures.</summary>
public sealed class CampaignService(
    CampaignStore store,
    ConfirmingPublisher publisher,
    QueueInspector inspector,
    TimeProvider time,
    IOptions<MonitorOptions> options)
{
    private readonly Lock _activeGate = new();
    private (DateTimeOffset At, IReadOnlyList<ActiveCampaign> Items)? _active;

    /// <summary>Splits, stores and declares the queue. The caller has validated the request.</summary>
    public async Task<CampaignIssued> IssueAsync(IssueCampaignRequest request, CancellationToken cancellationToken)
    {
        var name = request.Name!.Trim();
        var startsAt = request.StartsAt?.ToUniversalTime() ?? time.GetUtcNow();
        var amounts = DoubleMeanSplitter.Split(request.TotalCents, request.PacketCount, Random.Shared);
        var id = await store.CreateAsync(request, name, startsAt, amounts, cancellationToken);
        var queue = Topology.PacketQueue(id);
        // Declared at issue time so redpacket can attach its consumer before the first release.
        await publisher.DeclareAsync(channel => Topology.DeclarePacketQueueAsync(channel, id, cancellationToken), cancellationToken);
        return new CampaignIssued(id, name, request.TotalCents, request.PacketCount, request.BatchCount, request.IntervalSeconds, startsAt, queue);
    }

    public async Task<List<CampaignView>> ListAsync(int limit, CancellationToken cancellationToken) =>
        await ToViewsAsync(await store.ListAsync(null, limit, cancellationToken), cancellationToken);

    public async Task<CampaignView?> GetAsync(long id, CancellationToken cancellationToken) =>
        (await ToViewsAsync(await store.ListAsync(id, 1, cancellationToken), cancellationToken)).FirstOrDefault();

    /// <summary>Open campaigns for the grab page, reused for ActiveCacheMilliseconds: every user polls it.</summary>
    public async Task<IReadOnlyList<ActiveCampaign>> ActiveAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (_activeGate)
        {
            if (_active is { } cached && now - cached.At < TimeSpan.FromMilliseconds(options.Value.ActiveCacheMilliseconds))
            {
                return cached.Items;
            }
        }
        var items = await store.ActiveAsync(20, cancellationToken);
        lock (_activeGate)
        {
            _active = (now, items);
        }
        return items;
    }

    private async Task<List<CampaignView>> ToViewsAsync(List<CampaignRow> rows, CancellationToken cancellationToken)
    {
        var outcomes = await store.OutcomeCountsAsync(rows.Select(r => r.Id).ToArray(), cancellationToken);
        var views = new List<CampaignView>(rows.Count);
        foreach (var r in rows)
        {
            // Only a campaign with released packets can have any waiting (closed ones are drained).
            long? inQueue = r.Released == 0 ? 0 : await inspector.ReadyCountAsync(r.Id, cancellationToken);
            // won is the ledger's count (guarantee 5: monitor's won equals ledger rows): redpacket does not hold
            // a won answer back for its event, because the claim row already made it durable.
            if (r.Claimed > 0 || outcomes[r.Id].ContainsKey(GrabOutcome.Won.Name()))
            {
                outcomes[r.Id][GrabOutcome.Won.Name()] = r.Claimed;
            }
            views.Add(new CampaignView(r.Id, r.Name, r.Status, r.TotalCents, r.PacketCount, r.BatchCount, r.IntervalSeconds,
                r.StartsAt, r.CreatedAt, r.ClosedAt, r.Released, r.BatchesReleased, r.Claimed, r.AmountClaimedCents, r.Expired, r.Cancelled,
                inQueue, r.NextReleaseAt, outcomes[r.Id]));
        }
        return views;
    }
}
