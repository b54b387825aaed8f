using System.Net.Http.Json;
using System.Net.Sockets;
using Dapper;

namespace ElasticRedPacket.Monitor.Tests;

// One test here stops RabbitMQ: the class runs alone, after the parallel ones.
[CollectionDefinition(nameof(ReleaseScheduleTests), DisableParallelization = true)]
public sealed class ReleaseScheduleCollection;

/// <summary>
/// The schedule against the real servers. The test stack's own monitor replica releases too, so
/// every test here runs with several releasers at once: the advisory lock is what keeps each
/// batch published exactly once, and the queue's contents are the proof.
/// </summary>
[Collection(nameof(ReleaseScheduleTests))]
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
        // Read before anything drains the queue: every released packet is still in it.
        var view = await client.GetFromJsonAsync<Features.Campaigns.CampaignView>($"/api/campaigns/{issued.Id}");
        Assert.Equal("released", view!.Status);
        Assert.Equal(300, view.Released);
        Assert.Equal(view.Released, view.InQueue);
        Assert.Null(view.NextReleaseAt);
        await AssertQueueHoldsEveryPacketOnceAsync(issued.Id, 300);
    }

    [Fact]
    public async Task Release_BrokerDownWhenDue_BatchStaysUnmarkedThenReleasedOnceWhenBack()
    {
        var client = Probe.Operator(_factory.CreateClient());
        var issued = await Probe.IssueAsync(client, Probe.Campaign("broker-down", totalCents: 20_000, packets: 200, batches: 1, startsAt: DateTimeOffset.UtcNow.AddHours(1)));

        // Stop RabbitMQ (fault.sh restart: stop, then start again, which takes several seconds).
        var restart = StackScripts.RunAsync("fault.sh", "restart", "rabbitmq");
        var rabbit = new Uri(StackEnvironment.Current.RabbitMq);
        for (var i = 0; i < 300 && await AcceptsAsync(rabbit); i++)
        {
            await Task.Delay(100);
        }
        Assert.False(await AcceptsAsync(rabbit), "RabbitMQ did not stop");

        // Due now, while no releaser can publish: every tick's publish fails and the batch stays unmarked.
        await using (var db = await Probe.Db.OpenConnectionAsync())
        {
            await db.ExecuteAsync("UPDATE release_batches SET due_at = now() WHERE campaign_id = @id", new { id = issued.Id });
        }
        await Task.Delay(TimeSpan.FromSeconds(2));
        var whileDown = (await Probe.BatchesAsync(issued.Id)).Single();
        var stillDown = !await AcceptsAsync(rabbit);
        await restart;
        Assert.True(stillDown, "RabbitMQ came back too soon: the failed releases were not observed");
        Assert.Null(whileDown.ReleasedAt);

        // Back: released by the next releaser tick after the connection recovers, once.
        await Probe.WaitReleasedAsync(issued.Id, 1, TimeSpan.FromSeconds(60));
        await AssertQueueHoldsEveryPacketOnceAsync(issued.Id, 200);
    }

    private static async Task<bool> AcceptsAsync(Uri server)
    {
        using var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(server.Host, server.Port).WaitAsync(TimeSpan.FromSeconds(1));
            return true;
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            return false;
        }
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
