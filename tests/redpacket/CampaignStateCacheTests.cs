using ElasticRedPacket.RedPacket.Data;
using ElasticRedPacket.RedPacket.Services;
using Microsoft.Extensions.Options;

namespace ElasticRedPacket.RedPacket.Tests;

/// <summary>
/// A campaign's state is cached for an interval; its claimed count comes from claim_counts, which the
/// ledger's triggers keep equal to the claims in every committed transaction (real PostgreSQL).
/// </summary>
public sealed class CampaignStateCacheTests(GrabFixture stack) : IClassFixture<GrabFixture>
{
    private static readonly TimeSpan PastTheCache = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ClaimedCount_CachedForAnInterval_FreshWhenAGrabAsks()
    {
        var campaign = await stack.Seeder.CreateAsync(5, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddMinutes(-1));
        var time = new ManualTime();
        var cache = new CampaignStateCache(stack.Seeder.Database, time, Options.Create(new GrabOptions()));

        var first = await cache.GetAsync(campaign.Id, CancellationToken.None);
        Assert.Equal((5L, 0L), (first.ReleasedPackets, first.Claimed));

        await SetClaimsAsync(campaign.Id, campaign.Packets.Select(p => p.PacketId), add: true);
        Assert.Equal(0, (await cache.GetAsync(campaign.Id, CancellationToken.None)).Claimed); // within the interval: cached
        Assert.Equal(0, (await cache.GetFreshAsync(campaign.Id, PastTheCache, CancellationToken.None)).Claimed);

        var fresh = await cache.GetFreshAsync(campaign.Id, TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(5, fresh.Claimed);
        Assert.True(fresh.SoldOut);
        Assert.True(fresh.LedgerFinal);

        await SetClaimsAsync(campaign.Id, [campaign.Packets[0].PacketId], add: false);
        time.Advance(PastTheCache);
        var reread = await cache.GetAsync(campaign.Id, CancellationToken.None);
        Assert.Equal(4, reread.Claimed);
        Assert.False(reread.SoldOut);
    }

    [Fact]
    public async Task ClaimCounts_FollowInsertsDeletesAndUpdates()
    {
        var campaign = await stack.Seeder.CreateAsync(6, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddMinutes(-1));
        var ids = campaign.Packets.Select(p => p.PacketId).ToArray();
        await AssertCountsMatchLedgerAsync(campaign.Id, expectedClaims: 0);

        await SetClaimsAsync(campaign.Id, ids[..4], add: true);
        await AssertCountsMatchLedgerAsync(campaign.Id, expectedClaims: 4);
        await SetClaimsAsync(campaign.Id, ids[4..], add: true);
        await AssertCountsMatchLedgerAsync(campaign.Id, expectedClaims: 6);

        await using (var update = stack.Seeder.Database.CreateCommand("UPDATE claims SET amount_cents = amount_cents + 1 WHERE campaign_id = @c AND packet_id = ANY(@p)"))
        {
            update.Parameters.AddWithValue("c", campaign.Id);
            update.Parameters.AddWithValue("p", ids[..2]);
            Assert.Equal(2, await update.ExecuteNonQueryAsync());
        }
        await AssertCountsMatchLedgerAsync(campaign.Id, expectedClaims: 6);

        await SetClaimsAsync(campaign.Id, ids[1..3], add: false);
        await AssertCountsMatchLedgerAsync(campaign.Id, expectedClaims: 4);
    }

    private async Task AssertCountsMatchLedgerAsync(long campaignId, long expectedClaims)
    {
        await using var command = stack.Seeder.Database.CreateCommand("""
            SELECT (SELECT count(*) FROM claims WHERE campaign_id = @c),
                   (SELECT coalesce(sum(amount_cents), 0) FROM claims WHERE campaign_id = @c)::bigint,
                   (SELECT coalesce(sum(claimed), 0) FROM claim_counts WHERE campaign_id = @c)::bigint,
                   (SELECT coalesce(sum(amount_cents), 0) FROM claim_counts WHERE campaign_id = @c)::bigint
            """);
        command.Parameters.AddWithValue("c", campaignId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(expectedClaims, reader.GetInt64(0));
        Assert.Equal((reader.GetInt64(0), reader.GetInt64(1)), (reader.GetInt64(2), reader.GetInt64(3)));
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
