using ElasticRedPacket.RedPacket.Data;
using ElasticRedPacket.RedPacket.Services;
using ElasticRedPacket.ServiceDefaults.Messaging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ElasticRedPacket.RedPacket.Tests;

/// <summary>A herd of "has this user won?" questions, asked together, each gets its own right answer (real PostgreSQL).</summary>
public sealed class WinnerLookupTests(GrabFixture stack) : IClassFixture<GrabFixture>
{
    [Fact]
    public async Task FindAmount_ManyAtOnceAcrossCampaigns_EachUserGetsTheirOwnClaimOrNull()
    {
        var first = await stack.Seeder.CreateAsync(30, batches: 1, releasedBatches: 0, DateTimeOffset.UtcNow.AddHours(1));
        var second = await stack.Seeder.CreateAsync(30, batches: 1, releasedBatches: 0, DateTimeOffset.UtcNow.AddHours(1));
        var userBase = 7_000_000_000 + Environment.TickCount64 % 1_000_000 * 1000;
        // Users 0-9 won in the first campaign, 5-14 in the second (each with their packet's amount).
        await InsertClaimsAsync(first.Packets.Take(10).Select((p, i) => (p, userBase + i))
            .Concat(second.Packets.Take(10).Select((p, i) => (p, userBase + 5 + i))));

        using var lookup = new WinnerLookup(stack.Seeder.Database, Options.Create(new GrabOptions()), NullLogger<WinnerLookup>.Instance);
        await lookup.StartAsync(CancellationToken.None);
        try
        {
            var questions = Enumerable.Range(0, 20).SelectMany(i => new[] { (first, i), (second, i) }).ToArray();
            var answers = await Task.WhenAll(questions.Select(q => lookup.FindAmountAsync(q.Item1.Id, userBase + q.i)));

            for (var k = 0; k < questions.Length; k++)
            {
                var (campaign, i) = questions[k];
                int? expected = campaign == first
                    ? i < 10 ? first.Packets[i].AmountCents : null
                    : i is >= 5 and < 15 ? second.Packets[i - 5].AmountCents : null;
                Assert.True(expected == answers[k], $"campaign {campaign.Id}, user {i}: expected {expected}, got {answers[k]}");
            }
        }
        finally
        {
            await lookup.StopAsync(CancellationToken.None);
        }
    }

    [Theory]
    [InlineData(1_000_000, true)]
    [InlineData(0, false)] // no memory budget: every question goes to the ledger
    public async Task FindFinalAmount_AnswersFromTheCampaignsWinnersReadOnce_WithinTheMemoryBudget(long budget, bool fromMemory)
    {
        var campaign = await stack.Seeder.CreateAsync(30, batches: 1, releasedBatches: 0, DateTimeOffset.UtcNow.AddHours(1));
        var userBase = 7_100_000_000 + Environment.TickCount64 % 1_000_000 * 1000;
        await InsertClaimsAsync(campaign.Packets.Take(10).Select((p, i) => (p, userBase + i)));

        var options = new GrabOptions { FinalWinnersInMemory = budget };
        using var lookup = new WinnerLookup(stack.Seeder.Database, Options.Create(options), NullLogger<WinnerLookup>.Instance);
        await lookup.StartAsync(CancellationToken.None);
        try
        {
            Assert.Equal(campaign.Packets[3].AmountCents, await lookup.FindFinalAmountAsync(campaign.Id, userBase + 3, 10));
            Assert.Null(await lookup.FindFinalAmountAsync(campaign.Id, userBase + 20, 10));
            // A row added after the winners were read (a final ledger never gains one) is seen only by the ledger
            // query: each round adds one and asks for it, until an answer comes from memory (or 20 rounds).
            var fromMemorySeen = false;
            for (var k = 10; k < 30 && !fromMemorySeen; k++)
            {
                await InsertClaimsAsync([(campaign.Packets[k], userBase + 500 + k)]);
                fromMemorySeen = await lookup.FindFinalAmountAsync(campaign.Id, userBase + 500 + k, 10) is null;
                await Task.Delay(50);
            }
            Assert.Equal(fromMemory, fromMemorySeen);
            Assert.Equal(campaign.Packets[3].AmountCents, await lookup.FindFinalAmountAsync(campaign.Id, userBase + 3, 10));
        }
        finally
        {
            await lookup.StopAsync(CancellationToken.None);
        }
    }

    private async Task InsertClaimsAsync(IEnumerable<(PacketMessage Packet, long UserId)> claims)
    {
        var rows = claims.ToArray();
        await using var insert = stack.Seeder.Database.CreateCommand(
            "INSERT INTO claims (packet_id, campaign_id, user_id, amount_cents) SELECT * FROM unnest(@p, @c, @u, @a) ON CONFLICT DO NOTHING");
        insert.Parameters.AddWithValue("p", rows.Select(c => c.Packet.PacketId).ToArray());
        insert.Parameters.AddWithValue("c", rows.Select(c => c.Packet.CampaignId).ToArray());
        insert.Parameters.AddWithValue("u", rows.Select(c => c.UserId).ToArray());
        insert.Parameters.AddWithValue("a", rows.Select(c => c.Packet.AmountCents).ToArray());
        await insert.ExecuteNonQueryAsync();
    }
}
