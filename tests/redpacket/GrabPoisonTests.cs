using System.Text;
using ElasticRedPacket.ServiceDefaults.Messaging;
using RabbitMQ.Client;

namespace ElasticRedPacket.RedPacket.Tests;

/// <summary>
/// Poison in a campaign's packet queue: messages redpacket cannot claim (not JSON, wrong types, a
/// missing amount, a packet the database does not know, another campaign's packet) sit between good packets. Every good packet
/// is still won, nobody is shed because of the poison, and each poison message lands in the
/// dead-letter queue after one delivery (rejected, not redelivered up to the delivery limit).
/// </summary>
public sealed class GrabPoisonTests(GrabFixture stack) : IClassFixture<GrabFixture>, IDisposable
{
    private const int GoodPackets = 5;

    // One replica (not nginx): its consumer gets every message in queue order, so each poison one is met before the good one behind it.
    private readonly HttpClient _replica = new() { BaseAddress = new Uri($"http://127.0.0.1:{StackEnvironment.Current.PortBase + 120}"), Timeout = TimeSpan.FromSeconds(30) };

    public void Dispose() => _replica.Dispose();

    [Fact]
    public async Task Grab_PoisonBetweenGoodPackets_GoodOnesWonPoisonDeadLetteredOnce()
    {
        // Recorded as released without publishing, so the stack's releaser does not publish the packets a second time.
        var campaign = await stack.Seeder.CreateAsync(GoodPackets, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(-1), publish: false);
        // A real packet, but of another campaign: the claim insert checks campaign and amount, not just that the id exists.
        var other = await stack.Seeder.CreateAsync(1, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(-1), publish: false);
        var poison = new Dictionary<string, string>
        {
            ["not json"] = "not json at all {",
            ["wrong types"] = $$"""{"packetId":"seven","campaignId":{{campaign.Id}},"amountCents":"five"}""",
            ["no amount"] = $$"""{"packetId":{{campaign.Packets[0].PacketId}},"campaignId":{{campaign.Id}}}""",
            ["unknown packet"] = $$"""{"packetId":{{long.MaxValue - campaign.Id}},"campaignId":{{campaign.Id}},"amountCents":5}""",
            ["another campaign's packet"] = $$"""{"packetId":{{other.Packets[0].PacketId}},"campaignId":{{campaign.Id}},"amountCents":{{other.Packets[0].AmountCents}}}""",
        };
        var poisonIds = poison.Keys.ToDictionary(kind => kind, kind => $"poison-{kind.Replace(' ', '-').Replace("'", "", StringComparison.Ordinal)}-{Guid.NewGuid():N}");
        // poison, good, poison, good, ... good: a grab that goes on to win meets each poison message. (One after the last
        // good packet would be met only if the last grab read the queue, and once the replica sees the sell-out it does not.)
        for (var i = 0; i < GoodPackets; i++)
        {
            if (i < poison.Count)
            {
                var kind = poison.Keys.ElementAt(i);
                await stack.Seeder.PublishRawAsync(campaign.Id, poisonIds[kind], Encoding.UTF8.GetBytes(poison[kind]));
            }
            await stack.Seeder.PublishAsync(campaign.Id, [campaign.Packets[i]]);
        }

        var users = await stack.NewUsersAsync(GoodPackets + 1);
        var won = new List<long>();
        var errors = new List<string>();
        foreach (var (_, token) in users.Take(GoodPackets))
        {
            var result = await GrabUntilAnsweredAsync(token, campaign.Id, errors);
            Assert.True(result.Outcome == "won", $"a good packet was not won: {result.Body}; errors: {string.Join("; ", errors)}");
            won.Add(result.PacketId!.Value);
        }
        var last = await GrabUntilAnsweredAsync(users.Last().Value, campaign.Id, errors);

        Assert.Equal(campaign.Packets.Select(p => p.PacketId).Order(), won.Order());
        Assert.Equal("sold_out", last.Outcome);
        Assert.True(errors.Count == 0, "grabs failed because of the poison: " + string.Join("; ", errors));
        Assert.Equal(0u, await stack.Seeder.ReadyCountAsync(campaign.Id));
        Assert.Equal(GoodPackets, (await stack.Seeder.ClaimsAsync(campaign.Id)).Count);
        await using var rabbit = await new ConnectionFactory { Uri = new Uri(StackEnvironment.Current.RabbitMq) }.CreateConnectionAsync();
        foreach (var (kind, messageId) in poisonIds)
        {
            var deadLetter = await DeadLetters.TakeAsync(rabbit, Topology.DeadLetterQueue, messageId, TimeSpan.FromSeconds(10));
            Assert.True(deadLetter is not null, $"the {kind} message did not reach {Topology.DeadLetterQueue}");
            // Rejected on its first delivery: not redelivered until the queue's delivery limit gave up on it.
            Assert.Equal(("rejected", 1L), DeadLetters.Death(deadLetter));
        }
    }

    /// <summary>Grabs until an answer that is not "ask again later"; every shed or failure is noted in <paramref name="errors"/>. Bounded to 20 s.</summary>
    private async Task<GrabResult> GrabUntilAnsweredAsync(string token, long campaignId, List<string> errors)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var result = await GrabFixture.GrabAsync(_replica, token, campaignId);
            if (result.Outcome is not ("try_again" or "rate_limited" or "shed") || DateTime.UtcNow > deadline)
            {
                return result;
            }
            if (result.Outcome == "shed")
            {
                errors.Add(result.Body);
            }
            await Task.Delay(200);
        }
    }
}
