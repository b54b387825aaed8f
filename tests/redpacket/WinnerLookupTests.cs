using ElasticRedPacket.RedPacket.Data;
using ElasticRedPacket.RedPacket.Services;
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
        await using (var insert = stack.Seeder.Database.CreateCommand(
            "INSERT INTO claims (packet_id, campaign_id, user_id, amount_cents) SELECT * FROM unnest(@p, @c, @u, @a)"))
        {
            var claims = first.Packets.Take(10).Select((p, i) => (p, UserId: userBase + i))
                .Concat(second.Packets.Take(10).Select((p, i) => (p, UserId: userBase + 5 + i))).ToArray();
            insert.Parameters.AddWithValue("p", claims.Select(c => c.p.PacketId).ToArray());
            insert.Parameters.AddWithValue("c", claims.Select(c => c.p.CampaignId).ToArray());
            insert.Parameters.AddWithValue("u", claims.Select(c => c.UserId).ToArray());
            insert.Parameters.AddWithValue("a", claims.Select(c => c.p.AmountCents).ToArray());
            await insert.ExecuteNonQueryAsync();
        }

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
}
