using System.Net;
using Npgsql;

namespace ElasticRedPacket.RedPacket.Tests;

/// <summary>Duplicate deliveries, a ledger that fails between claim and ack, account down: in-process replicas against the real servers.</summary>
public sealed class GrabFaultTests(GrabFixture stack) : IClassFixture<GrabFixture>
{
    [Fact]
    public async Task Grab_DuplicateDeliveryOfClaimedPacket_AckedAndSkipped()
    {
        // Only the first of two batches is out, so the campaign is not sold out after the first win: the second grab
        // must take the duplicate from the buffer (with one batch, a sell-out seen first would leave it in the queue).
        var campaign = await stack.Seeder.CreateAsync(2, batches: 2, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(-1));
        await stack.Seeder.PublishAsync(campaign.Id, campaign.Packets.Take(1)); // the released packet a second time
        var tokens = (await stack.NewUsersAsync(2)).Values.ToArray();
        GrabResult first, second;
        await using (var replica = new ServiceFactory<Program>())
        {
            var client = replica.CreateClient();
            first = await GrabFixture.GrabAsync(client, tokens[0], campaign.Id);
            second = await GrabFixture.GrabAsync(client, tokens[1], campaign.Id);
        }

        Assert.True(first.Outcome == "won", first.Body);
        Assert.Equal(campaign.Packets[0].PacketId, first.PacketId);
        Assert.True(second.Outcome == "try_again", second.Body); // the duplicate skipped, the next batch not yet out
        Assert.Single(await stack.Seeder.ClaimsAsync(campaign.Id));
        // The duplicate was acked (a nacked, unacked or untaken one would be back in the queue after the replica stopped).
        Assert.Equal(0u, await stack.Seeder.ReadyCountAsync(campaign.Id));
    }

    [Fact]
    public async Task Grab_LedgerFailsBetweenClaimAndAck_NothingWonAndPacketComesBack()
    {
        var campaign = await stack.Seeder.CreateAsync(1, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(-1));
        var tokens = (await stack.NewUsersAsync(2)).Values.ToArray();
        await using var replica = ServiceFactory<Program>.WithSettings(new Dictionary<string, string?> { ["Grab:ClaimCommandTimeoutSeconds"] = "1" });
        var client = replica.CreateClient();

        GrabResult failed;
        await using (var connection = await stack.Seeder.Database.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            // Inserts into the ledger now stall (reads still work): the claim INSERT times out.
            await using (var lockCommand = new NpgsqlCommand("LOCK TABLE claims IN SHARE MODE", connection, tx))
            {
                await lockCommand.ExecuteNonQueryAsync();
            }
            failed = await GrabFixture.GrabAsync(client, tokens[0], campaign.Id);
            await tx.RollbackAsync();
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.Status);
        Assert.Equal("shed", failed.Outcome);
        Assert.Equal("ledger_unavailable", failed.Reason);
        Assert.NotNull(failed.RetryAfter);
        Assert.Empty(await stack.Seeder.ClaimsAsync(campaign.Id));

        var next = await GrabFixture.GrabAsync(client, tokens[1], campaign.Id);
        Assert.Equal("won", next.Outcome);
        Assert.Equal(campaign.Packets[0].PacketId, next.PacketId);
        Assert.Single(await stack.Seeder.ClaimsAsync(campaign.Id));
    }

    [Fact]
    public async Task Grab_AccountDown_BreakerOpensShedsThenRecovers()
    {
        var campaign = await stack.Seeder.CreateAsync(5, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(-1));
        var tokens = (await stack.NewUsersAsync(30)).Values.ToArray();
        await using var proxy = new TcpProxy(StackEnvironment.Current.PortBase + 81, up: false);
        await using var replica = ServiceFactory<Program>.WithSettings(new Dictionary<string, string?>
        {
            ["Services:AccountUrl"] = proxy.Url.ToString(),
            ["Grab:BreakerMinimumThroughput"] = "4",
            ["Grab:BreakerBreakSeconds"] = "6", // long enough that the open breaker sees the 11 grabs below on a busy machine
            ["Grab:VerifyTimeoutMilliseconds"] = "500",
        });
        var client = replica.CreateClient();

        var down = new List<GrabResult>();
        for (var i = 0; i < 10; i++)
        {
            down.Add(await GrabFixture.GrabAsync(client, tokens[i], campaign.Id));
        }
        Assert.All(down, r =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, r.Status);
            Assert.Equal("shed", r.Outcome);
            Assert.Equal("account_unavailable", r.Reason);
            Assert.NotNull(r.RetryAfter);
        });
        // Open breaker: further grabs are shed without touching account.
        var before = proxy.Connections;
        for (var i = 10; i < 15; i++)
        {
            Assert.Equal("shed", (await GrabFixture.GrabAsync(client, tokens[i], campaign.Id)).Outcome);
        }
        Assert.Equal(before, proxy.Connections);
        Assert.Empty(await stack.Seeder.ClaimsAsync(campaign.Id));

        proxy.SetUp(true);
        GrabResult recovered = down[0];
        var deadline = DateTime.UtcNow.AddSeconds(20);
        for (var i = 15; recovered.Outcome != "won" && DateTime.UtcNow < deadline; i = Math.Min(i + 1, tokens.Length - 1))
        {
            await Task.Delay(500);
            recovered = await GrabFixture.GrabAsync(client, tokens[i], campaign.Id);
        }
        Assert.Equal("won", recovered.Outcome);
        Assert.Equal("account", recovered.VerifiedBy);
    }

    [Fact]
    public async Task Grab_AccountDownWithLocalDegrade_ChecksTokenLocallyAndSaysSo()
    {
        var campaign = await stack.Seeder.CreateAsync(2, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(-1));
        var (_, token) = await stack.NewUserAsync();
        await using var proxy = new TcpProxy(StackEnvironment.Current.PortBase + 81, up: false);
        await using var replica = ServiceFactory<Program>.WithSettings(new Dictionary<string, string?>
        {
            ["Services:AccountUrl"] = proxy.Url.ToString(),
            ["Grab:DegradeToLocalTokenCheck"] = "true",
        });
        var client = replica.CreateClient();

        var tampered = await GrabFixture.GrabAsync(client, token[..^2] + (token[^2] == 'A' ? "BB" : "AA"), campaign.Id);
        var won = await GrabFixture.GrabAsync(client, token, campaign.Id);

        Assert.True(tampered.Status == HttpStatusCode.Unauthorized, tampered.Body);
        Assert.Equal("local", tampered.VerifiedBy);
        Assert.Equal("won", won.Outcome);
        Assert.Equal("local", won.VerifiedBy);
        Assert.Single(await stack.Seeder.ClaimsAsync(campaign.Id));
    }
}
