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
}
