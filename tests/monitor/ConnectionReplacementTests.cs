using ElasticRedPacket.ServiceDefaults.Messaging;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace ElasticRedPacket.Monitor.Tests;

/// <summary>
/// Monitor's RabbitMQ connection closes and the client never recovers it (rabbitmq-dotnet-client issue
/// 1871, which once kept monitor unready in CI): after RabbitMQ:ReplaceStuckAfterSeconds it has a new
/// connection, the outcome consumer consumes again on it, and /readyz is 200.
/// </summary>
public sealed class ConnectionReplacementTests
{
    [Fact]
    public async Task OutcomeConsumer_ConnectionClosedNeverRecovered_ConsumesAgainOnNewConnection()
    {
        await using var monitor = ServiceFactory<Program>.WithSettings(new Dictionary<string, string?> { ["RabbitMQ:ReplaceStuckAfterSeconds"] = "1" });
        var client = monitor.CreateClient();
        var rabbit = monitor.Services.GetRequiredService<RabbitMqConnection>();
        var stuck = await rabbit.GetAsync(CancellationToken.None);
        Assert.True(await RabbitConsumers.WaitForConsumerAsync(Topology.OutcomeQueue, stuck.LocalPort, TimeSpan.FromSeconds(20)),
            "the outcome consumer never showed up on the first connection");

        await stuck.CloseAsync();

        IConnection? fresh = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (fresh is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            fresh = await rabbit.GetAsync(CancellationToken.None) is { IsOpen: true } current && !ReferenceEquals(current, stuck) ? current : null;
        }
        Assert.True(fresh is not null, "the closed connection was not replaced within 30 s");
        Assert.True(await RabbitConsumers.WaitForConsumerAsync(Topology.OutcomeQueue, fresh.LocalPort, TimeSpan.FromSeconds(20)),
            "the outcome consumer did not start again on the new connection");
        var ready = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.True(ready.IsSuccessStatusCode, await ready.Content.ReadAsStringAsync());
    }
}
