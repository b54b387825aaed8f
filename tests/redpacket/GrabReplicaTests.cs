namespace ElasticRedPacket.RedPacket.Tests;

/// <summary>Answers stay honest when the packets sit in another replica's buffer.</summary>
public sealed class GrabReplicaTests(GrabFixture stack) : IClassFixture<GrabFixture>
{
    [Fact]
    public async Task Grab_WonOnOneReplicaThenOnAnotherWithEmptyBuffer_AlreadyWonWithAmount()
    {
        var campaign = await stack.Seeder.CreateAsync(3, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(-1));
        var (_, token) = await stack.NewUserAsync();
        await using var first = new ServiceFactory<Program>();
        await using var second = new ServiceFactory<Program>();

        // The first replica's consumer starts on this grab and prefetches all three packets; the grab
        // waits for the first deliveries (the queue held packets) instead of answering try_again.
        var won = await GrabFixture.GrabAsync(first.CreateClient(), token, campaign.Id);
        Assert.True(won.Outcome == "won", $"first grab answered {won.Outcome} ({won.Reason})");
        Assert.Equal(0u, await stack.Seeder.ReadyCountAsync(campaign.Id));

        // The second replica's buffer stays empty; its in-memory winners do not know this user.
        var again = await GrabFixture.GrabAsync(second.CreateClient(), token, campaign.Id);

        Assert.Equal("already_won", again.Outcome);
        Assert.Equal(won.AmountCents, again.AmountCents);
        Assert.Single(await stack.Seeder.ClaimsAsync(campaign.Id));
    }

    [Fact]
    public async Task Grab_WinnerAgainAfterSellOutOnEveryReplica_AlreadyWonWithAmountOthersSoldOut()
    {
        const int Packets = 3;
        var campaign = await stack.Seeder.CreateAsync(Packets, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(-1));
        var tokens = await stack.NewUsersAsync(Packets + 1);
        var winners = tokens.Take(Packets).ToList();
        var (_, latecomer) = tokens.Last();
        var amounts = new Dictionary<long, int>();
        foreach (var (userId, token) in winners)
        {
            var won = await GrabUntilAsync(stack.Nginx, token, campaign.Id, "won");
            Assert.True(won.Outcome == "won", $"user {userId}: {won.Body}");
            amounts[userId] = won.AmountCents!.Value;
        }

        // Every replica answers the latecomer sold_out (its cached campaign state says so)...
        var replicas = Enumerable.Range(0, StackScripts.Replicas("redpacket"))
            .Select(i => new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{StackEnvironment.Current.PortBase + 120 + i}") }).ToList();
        try
        {
            foreach (var replica in replicas)
            {
                var late = await GrabUntilAsync(replica, latecomer, campaign.Id, "sold_out");
                Assert.True(late.Outcome == "sold_out", late.Body);
            }
            // ...and a winner grabbing again on any replica, or through nginx, hears already_won with the amount.
            foreach (var (userId, token) in winners)
            {
                foreach (var client in replicas.Append(stack.Nginx))
                {
                    var again = await GrabFixture.GrabAsync(client, token, campaign.Id);
                    Assert.True(again.Outcome == "already_won", $"user {userId} on {client.BaseAddress}: {again.Body}");
                    Assert.Equal(amounts[userId], again.AmountCents);
                    await Task.Delay(250); // the account rate limit allows a user 5 tries a second
                }
            }
        }
        finally
        {
            replicas.ForEach(r => r.Dispose());
        }
        Assert.Equal(amounts.OrderBy(a => a.Key), (await stack.Seeder.ClaimsAsync(campaign.Id)).Select(c => KeyValuePair.Create(c.UserId, c.AmountCents)).OrderBy(a => a.Key));
    }

    /// <summary>Grabs until the answer is <paramref name="wanted"/> or anything but try_again (cached state may lag a few hundred ms).</summary>
    private static async Task<GrabResult> GrabUntilAsync(HttpClient client, string token, long campaignId, string wanted)
    {
        var result = await GrabFixture.GrabAsync(client, token, campaignId);
        for (var i = 0; i < 10 && result.Outcome != wanted && result.Outcome == "try_again"; i++)
        {
            await Task.Delay(300);
            result = await GrabFixture.GrabAsync(client, token, campaignId);
        }
        return result;
    }
}
