using System.Net.Http.Json;

namespace ElasticRedPacket.Monitor.Tests;

/// <summary>
/// The schedule against the real servers. The test stack's own monitor replica releases too, so
/// every test here runs with several releasers at once: the advisory lock is what keeps each
/// batch published exactly once, and the queue's contents are the proof.
/// </summary>
public sealed class ReleaseScheduleTests : IClassFixture<ServiceFactory<Program>>
{
    private static readonly TimeSpan Lateness = TimeSpan.FromSeconds(3);
    private readonly ServiceFactory<Program> _factory;

    public ReleaseScheduleTests(ServiceFactory<Program> factory) => _factory = factory;

    [Fact]
    public async Task Release_ShortIntervals_EachBatchReleasedAtItsTimeAndPublishedOnce()
    {
        var client = Probe.Operator(_factory.CreateClient());
        var startsAt = DateTimeOffset.UtcNow.AddSeconds(3);
        var issued = await Probe.IssueAsync(client, Probe.Campaign("schedule", totalCents: 30_000, packets: 300, batches: 3, interval: 1, startsAt: startsAt));

        // Before its time nothing is out.
        Assert.Equal(0, await Probe.ReadyCountAsync(issued.Id));

        var batches = await Probe.WaitReleasedAsync(issued.Id, 3, TimeSpan.FromSeconds(20));
        foreach (var batch in batches)
        {
            Assert.True(batch.ReleasedAt >= batch.DueAt, $"batch {batch.BatchNo} released at {batch.ReleasedAt:O} before it was due at {batch.DueAt:O}");
            Assert.True(batch.ReleasedAt - batch.DueAt < Lateness, $"batch {batch.BatchNo} released {batch.ReleasedAt - batch.DueAt} late");
        }
        await AssertQueueHoldsEveryPacketOnceAsync(issued.Id, 300);

        var view = await client.GetFromJsonAsync<Features.Campaigns.CampaignView>($"/api/campaigns/{issued.Id}");
        Assert.Equal("released", view!.Status);
        Assert.Equal(300, view.Released);
        Assert.Null(view.NextReleaseAt);
    }

    [Fact]
    public async Task Release_HostRestartedMidSchedule_NoBatchLostNoneTwice()
    {
        long campaignId;
        await using (var first = ServiceFactory<Program>.WithSettings(new Dictionary<string, string?>()))
        {
            var client = Probe.Operator(first.CreateClient());
            var issued = await Probe.IssueAsync(client, Probe.Campaign("restart", totalCents: 50_000, packets: 500, batches: 5, interval: 1, startsAt: DateTimeOffset.UtcNow.AddMilliseconds(500)));
            campaignId = issued.Id;
            await Probe.WaitReleasedAsync(campaignId, 2, TimeSpan.FromSeconds(15));
        }
        // The first host is gone mid-schedule; a new one (and the stack's replica) carry on from PostgreSQL.
        await using (var second = ServiceFactory<Program>.WithSettings(new Dictionary<string, string?>()))
        {
            _ = second.CreateClient();
            var batches = await Probe.WaitReleasedAsync(campaignId, 5, TimeSpan.FromSeconds(20));
            Assert.All(batches, b => Assert.True(b.ReleasedAt >= b.DueAt));
        }
        await AssertQueueHoldsEveryPacketOnceAsync(campaignId, 500);
    }

    [Fact]
    public async Task Release_TwoReplicasAndManyDueBatches_EveryBatchPublishedExactlyOnce()
    {
        await using var a = ServiceFactory<Program>.WithSettings(new Dictionary<string, string?> { ["Monitor:ReleaseTickMilliseconds"] = "50" });
        await using var b = ServiceFactory<Program>.WithSettings(new Dictionary<string, string?> { ["Monitor:ReleaseTickMilliseconds"] = "50" });
        var clientA = Probe.Operator(a.CreateClient());
        _ = b.CreateClient();

        // Interval 0: all 40 batches are due at once, so every releaser wants them in the same tick.
        var issued = await Probe.IssueAsync(clientA, Probe.Campaign("replicas", totalCents: 200_000, packets: 2000, batches: 40, interval: 0, startsAt: DateTimeOffset.UtcNow.AddMilliseconds(300)));
        await Probe.WaitReleasedAsync(issued.Id, 40, TimeSpan.FromSeconds(30));
        await AssertQueueHoldsEveryPacketOnceAsync(issued.Id, 2000);
    }

    /// <summary>Exactly packetCount messages, one per packet id, each carrying its stored amount.</summary>
    private static async Task AssertQueueHoldsEveryPacketOnceAsync(long campaignId, int packetCount)
    {
        // A release marked in PostgreSQL has been confirmed by the broker; give a straggler that
        // might (wrongly) publish twice a moment to show up before counting.
        await Task.Delay(500);
        Assert.Equal(packetCount, await Probe.ReadyCountAsync(campaignId));
        var messages = await Probe.DrainAsync(campaignId);
        var packets = await Probe.PacketsAsync(campaignId);
        Assert.Equal(packetCount, messages.Count);
        Assert.Equal(packets.Select(p => p.Id).Order(), messages.Select(m => m.PacketId).Order());
        var amounts = packets.ToDictionary(p => p.Id, p => p.Amount);
        Assert.All(messages, m => Assert.Equal(amounts[m.PacketId], m.AmountCents));
        Assert.All(messages, m => Assert.Equal(campaignId, m.CampaignId));
    }
}
