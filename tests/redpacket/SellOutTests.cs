using System.Diagnostics;

namespace ElasticRedPacket.RedPacket.Tests;

/// <summary>
/// At a sell-out the buffer empties while grabs keep coming: they hear sold_out once the ledger shows every packet
/// claimed, not after the whole Grab:BufferWaitMilliseconds (in-process replica against the real servers).
/// </summary>
public sealed class SellOutTests(GrabFixture stack) : IClassFixture<GrabFixture>
{
    [Fact]
    public async Task Grab_BufferEmptyAtTheSellOut_SoldOutBeforeTheWaitEnds()
    {
        var campaign = await stack.Seeder.CreateAsync(3, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(-1));
        var tokens = (await stack.NewUsersAsync(4)).Values.ToArray();
        // A long wait, and a cached state that still says 0 claimed when the last grab comes: only a fresh read ends the wait early.
        await using var replica = ServiceFactory<Program>.WithSettings(new Dictionary<string, string?>
        {
            ["Grab:BufferWaitMilliseconds"] = "2000",
            ["Grab:CampaignCacheMilliseconds"] = "10000",
        });
        var client = replica.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            var won = await GrabFixture.GrabAsync(client, tokens[i], campaign.Id);
            Assert.True(won.Outcome == "won", won.Body);
        }

        var clock = Stopwatch.StartNew();
        var last = await GrabFixture.GrabAsync(client, tokens[3], campaign.Id);
        clock.Stop();

        Assert.True(last.Outcome == "sold_out", last.Body);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"sold_out after {clock.Elapsed.TotalMilliseconds:0} ms; the buffer wait is 2000 ms");
        Assert.Equal(3, (await stack.Seeder.ClaimsAsync(campaign.Id)).Count);
    }
}
