using ElasticRedPacket.ServiceDefaults.Messaging;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace ElasticRedPacket.RedPacket.Tests;

/// <summary>
/// A replica whose RabbitMQ connection closes and is never recovered by the client (rabbitmq-dotnet-client
/// issue 1871; an application-closed connection is one the client never recovers): after
/// RabbitMQ:ReplaceStuckAfterSeconds it gets a new connection, the campaign's consumer starts again on
/// it, grabs win again, and no packet is lost on the way.
/// </summary>
public sealed class ConnectionReplacementTests(GrabFixture stack) : IClassFixture<GrabFixture>
{
    private const int Packets = 4;

    [Fact]
    public async Task Grab_ConnectionClosedNeverRecovered_ReplacedConsumerRestartsNothingLost()
    {
        var campaign = await stack.Seeder.CreateAsync(Packets, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(-1));
        var users = (await stack.NewUsersAsync(2)).Values.ToList();
        await using (var replica = ServiceFactory<Program>.WithSettings(new Dictionary<string, string?> { ["RabbitMQ:ReplaceStuckAfterSeconds"] = "1" }))
        {
            var client = replica.CreateClient();
            var first = await GrabUntilWonAsync(client, users[0], campaign.Id);
            Assert.True(first.Outcome == "won", $"before: {first.Body}");

            var rabbit = replica.Services.GetRequiredService<RabbitMqConnection>();
            var stuck = await rabbit.GetAsync(CancellationToken.None);
            await stuck.CloseAsync();

            var fresh = await WaitReplacedAsync(rabbit, stuck, TimeSpan.FromSeconds(30));
            Assert.True(fresh is not null, "the closed connection was not replaced within 30 s");
            var ready = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
            Assert.True(ready.IsSuccessStatusCode, await ready.Content.ReadAsStringAsync());
            var second = await GrabUntilWonAsync(client, users[1], campaign.Id);
            Assert.True(second.Outcome == "won", $"after the replacement: {second.Body}");
        }

        // Two claims, two different users; the two packets left are back in the queue (the stopped replica returned its buffer).
        var claims = await stack.Seeder.ClaimsAsync(campaign.Id);
        Assert.Equal(2, claims.Select(c => c.UserId).Distinct().Count());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        uint left;
        while ((left = await stack.Seeder.ReadyCountAsync(campaign.Id)) != Packets - 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }
        Assert.Equal((uint)(Packets - 2), left);
    }

    private static async Task<IConnection?> WaitReplacedAsync(RabbitMqConnection rabbit, IConnection stuck, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await rabbit.GetAsync(CancellationToken.None) is { IsOpen: true } current && !ReferenceEquals(current, stuck))
            {
                return current;
            }
            await Task.Delay(200);
        }
        return null;
    }

    /// <summary>try_again while a consumer fills its buffer is a fair answer; the account rate limit allows a user 5 tries a second.</summary>
    private static async Task<GrabResult> GrabUntilWonAsync(HttpClient client, string token, long campaignId)
    {
        var result = await GrabFixture.GrabAsync(client, token, campaignId);
        for (var i = 0; i < 10 && result.Outcome == "try_again"; i++)
        {
            await Task.Delay(300);
            result = await GrabFixture.GrabAsync(client, token, campaignId);
        }
        return result;
    }
}
