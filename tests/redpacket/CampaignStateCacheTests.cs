using ElasticRedPacket.RedPacket.Data;
using ElasticRedPacket.RedPacket.Services;
using Microsoft.Extensions.Options;

namespace ElasticRedPacket.RedPacket.Tests;

/// <summary>
/// The claimed count is the costly part of a campaign's state: it is counted on the first read, when a
/// grab that found no packet asks, and never again once the campaign is sold out (real PostgreSQL).
/// </summary>
public sealed class CampaignStateCacheTests(GrabFixture stack) : IClassFixture<GrabFixture>
{
    private static readonly TimeSpan PastTheCache = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ClaimedCount_OnlyWhenAGrabAsks_AndNeverAgainOnceSoldOut()
    {
        var campaign = await stack.Seeder.CreateAsync(5, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddMinutes(-1));
        var time = new ManualTime();
        var cache = new CampaignStateCache(stack.Seeder.Database, time, Options.Create(new GrabOptions()));

        var first = await cache.GetAsync(campaign.Id, CancellationToken.None);
        Assert.Equal((5L, 0L), (first.ReleasedPackets, first.Claimed));

        await SetClaimsAsync(campaign.Id, campaign.Packets.Select(p => p.PacketId), add: true);
        time.Advance(PastTheCache);
        var reread = await cache.GetAsync(campaign.Id, CancellationToken.None);
        Assert.Equal(0, reread.Claimed); // read again, but nobody asked for the count
        Assert.False(reread.SoldOut);

        var counted = await cache.GetCountedAsync(campaign.Id, CancellationToken.None);
        Assert.Equal(5, counted.Claimed);
        Assert.True(counted.SoldOut);
        Assert.True(counted.LedgerFinal);

        // A sold-out campaign is never counted again: a row removed behind its back (a final ledger never
        // loses one) does not show, however often a grab asks.
        await SetClaimsAsync(campaign.Id, [campaign.Packets[0].PacketId], add: false);
        time.Advance(PastTheCache);
        Assert.Equal(5, (await cache.GetCountedAsync(campaign.Id, CancellationToken.None)).Claimed);
        time.Advance(PastTheCache);
        Assert.Equal(5, (await cache.GetAsync(campaign.Id, CancellationToken.None)).Claimed);
    }

    private async Task SetClaimsAsync(long campaignId, IEnumerable<long> packetIds, bool add)
    {
        var ids = packetIds.ToArray();
        await using var command = stack.Seeder.Database.CreateCommand(add
            ? "INSERT INTO claims (packet_id, campaign_id, user_id, amount_cents) SELECT p.id, p.campaign_id, 7200000000 + p.id, p.amount_cents FROM packets p WHERE p.id = ANY(@p)"
            : "DELETE FROM claims WHERE campaign_id = @c AND packet_id = ANY(@p)");
        command.Parameters.AddWithValue("p", ids);
        command.Parameters.AddWithValue("c", campaignId);
        Assert.Equal(ids.Length, await command.ExecuteNonQueryAsync());
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
