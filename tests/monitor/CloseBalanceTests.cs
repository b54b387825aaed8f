using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using ElasticRedPacket.Monitor.Features.Campaigns;
using ElasticRedPacket.ServiceDefaults.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ElasticRedPacket.Monitor.Tests;

/// <summary>
/// Close with packets held unacked by consumers: released = claimed + expired afterwards, and the
/// queue is left empty with nobody attached. Against the running stack (nginx, monitor, redpacket).
/// </summary>
public sealed class CloseBalanceTests
{
    [Fact]
    public async Task Close_WhileRedpacketHoldsPrefetchedPackets_BalancesAndLeavesQueueEmpty()
    {
        using var nginx = Probe.Operator(new HttpClient { BaseAddress = StackEnvironment.Current.NginxUrl, Timeout = TimeSpan.FromSeconds(60) });
        var issued = await Probe.IssueAsync(nginx, Probe.Campaign("close-held", totalCents: 30_000, packets: 300, batches: 1, interval: 0));
        await Probe.WaitReleasedAsync(issued.Id, 1, TimeSpan.FromSeconds(15));

        // Grabs through nginx start a consumer on the redpacket replicas, each prefetching a buffer of packets.
        using var accounts = AccountsClient.ThroughNginx();
        long firstUser;
        await using (var db = await Probe.Db.OpenConnectionAsync())
        {
            firstUser = await db.ExecuteScalarAsync<long>("SELECT coalesce(max(id), 0) + 1000 FROM users");
        }
        await accounts.CreateUsersAsync(firstUser, 6);
        var tokens = await accounts.LoginManyAsync(Enumerable.Range(0, 6).Select(i => firstUser + i));
        var won = 0;
        foreach (var token in tokens.Values)
        {
            won += await GrabAsync(nginx, token, issued.Id) == "won" ? 1 : 0;
        }
        Assert.True(won > 0, "no grab won: redpacket holds no buffer, the test shows nothing");
        var before = await QueueAsync(issued.Id);
        Assert.True(before.Consumers > 0, "no redpacket consumer attached before the close");
        Assert.True(before.Ready < 300 - won, $"{before.Ready} ready of {300 - won} unclaimed: nothing is held unacked");

        var response = await nginx.PostAsync($"/api/campaigns/{issued.Id}/close", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        var closed = JsonSerializer.Deserialize<CampaignClosed>(body, JsonSerializerOptions.Web)!;
        Assert.Equal(0, closed.Unsettled);

        var view = (await nginx.GetFromJsonAsync<CampaignView>($"/api/campaigns/{issued.Id}"))!;
        Assert.Equal("closed", view.Status);
        Assert.Equal(300, view.Released);
        Assert.Equal(won, view.Claimed);
        Assert.Equal(view.Released, view.Claimed + view.Expired);
        Assert.Equal(0, view.InQueue);
        // Empty: nothing ready, and no consumer left that could hold a packet unacked.
        Assert.Equal((0u, 0u), await QueueAsync(issued.Id));
    }

    [Fact]
    public async Task Close_PacketsHeldPastDrainBudget_Accepted202ThenRepeatedCloseBalances()
    {
        await using var monitor = ServiceFactory<Program>.WithSettings(new Dictionary<string, string?> { ["Monitor:CloseDrainSeconds"] = "2" });
        var client = Probe.Operator(monitor.CreateClient());
        var issued = await Probe.IssueAsync(client, Probe.Campaign("close-unsettled", totalCents: 2_000, packets: 20, batches: 1, interval: 0));
        await Probe.WaitReleasedAsync(issued.Id, 1, TimeSpan.FromSeconds(15));

        // A consumer that never learns of the close (a grab server cut off from PostgreSQL, say) holds five packets unacked.
        var held = await HoldAsync(issued.Id, 5);
        var first = await client.PostAsync($"/api/campaigns/{issued.Id}/close", null);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var pending = (await first.Content.ReadFromJsonAsync<CampaignClosed>())!;
        Assert.Equal(("closed", 20L, 0L, 15L, 15L, 5L), (pending.Status, pending.Released, pending.Claimed, pending.Expired, pending.Drained, pending.Unsettled));

        // The holder lets go (its packets return to the queue); closing again finishes the job.
        await held.CloseAsync();
        var second = await client.PostAsync($"/api/campaigns/{issued.Id}/close", null);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var done = (await second.Content.ReadFromJsonAsync<CampaignClosed>())!;
        Assert.Equal((20L, 0L, 20L, 5L, 0L), (done.Released, done.Claimed, done.Expired, done.Drained, done.Unsettled));
        Assert.Equal((0u, 0u), await QueueAsync(issued.Id));
    }

    private static async Task<string> GrabAsync(HttpClient client, string token, long campaignId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/grab") { Content = JsonContent.Create(new { campaignId }) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.TryGetProperty("outcome", out var outcome) ? outcome.GetString()! : $"({(int)response.StatusCode})";
    }

    private static async Task<(uint Ready, uint Consumers)> QueueAsync(long campaignId)
    {
        await using var channel = await (await Probe.RabbitAsync()).CreateChannelAsync();
        var queue = await channel.QueueDeclarePassiveAsync(Topology.PacketQueue(campaignId));
        return (queue.MessageCount, queue.ConsumerCount);
    }

    /// <summary>A channel consuming <paramref name="count"/> packets and never acking them.</summary>
    private static async Task<IChannel> HoldAsync(long campaignId, int count)
    {
        var channel = await (await Probe.RabbitAsync()).CreateChannelAsync();
        await channel.BasicQosAsync(0, (ushort)count, global: false);
        var received = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, _) =>
        {
            if (Interlocked.Increment(ref received) == count)
            {
                all.TrySetResult();
            }
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(Topology.PacketQueue(campaignId), autoAck: false, consumer);
        await all.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return channel;
    }
}
