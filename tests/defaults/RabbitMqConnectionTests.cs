using System.Net;
using System.Net.Sockets;
using ElasticRedPacket.ServiceDefaults.Messaging;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;

namespace ElasticRedPacket.ServiceDefaults.Tests;

/// <summary>
/// The fallback for a connection whose automatic recovery never runs (rabbitmq-dotnet-client issue
/// 1871). A connection the application closed is one the client never recovers, so closing it is how
/// these tests make one stuck, against the real broker.
/// </summary>
public sealed class RabbitMqConnectionTests
{
    private static readonly TimeSpan StuckAfter = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task ReplaceIfStuck_ClosedAndNeverRecovered_NewConnectionServesOldTokenFires()
    {
        await using var connection = new RabbitMqConnection(Factory(), NullLogger<RabbitMqConnection>.Instance);
        var stuck = await connection.GetAsync(CancellationToken.None);
        var replaced = connection.ReplacedToken(stuck);
        await using var channel = new ReopeningChannel(connection);
        await (await channel.GetAsync(CancellationToken.None)).QueueDeclareAsync(); // a channel on the old connection

        await stuck.CloseAsync();
        Assert.True(await ReplaceWithinAsync(connection, TimeSpan.FromSeconds(10)), "a closed connection was not replaced in 10 s");

        var fresh = await connection.GetAsync(CancellationToken.None);
        Assert.NotSame(stuck, fresh);
        Assert.True(fresh.IsOpen && connection.IsOpen);
        Assert.True(replaced.IsCancellationRequested, "the old connection's token did not fire");
        Assert.True(connection.ReplacedToken(stuck).IsCancellationRequested);
        Assert.False(connection.ReplacedToken(fresh).IsCancellationRequested);
        var declared = await (await channel.GetAsync(CancellationToken.None)).QueueDeclareAsync(); // reopened on the new one
        Assert.False(string.IsNullOrEmpty(declared.QueueName));
    }

    [Fact]
    public async Task ReplaceIfStuck_ConnectionOpen_KeptAsIs()
    {
        await using var connection = new RabbitMqConnection(Factory(), NullLogger<RabbitMqConnection>.Instance);
        var open = await connection.GetAsync(CancellationToken.None);

        for (var i = 0; i < 3; i++)
        {
            Assert.False(await connection.ReplaceIfStuckAsync(TimeSpan.Zero, CancellationToken.None));
        }

        Assert.Same(open, await connection.GetAsync(CancellationToken.None));
        Assert.False(connection.ReplacedToken(open).IsCancellationRequested);
    }

    [Fact]
    public async Task ReplaceIfStuck_BrokerUnreachable_KeptUntilItAnswersAgain()
    {
        var factory = Factory();
        var broker = factory.Uri;
        await using var connection = new RabbitMqConnection(factory, NullLogger<RabbitMqConnection>.Instance);
        var stuck = await connection.GetAsync(CancellationToken.None);
        await stuck.CloseAsync();

        factory.Uri = new UriBuilder(broker) { Port = UnusedPort() }.Uri; // the broker is away: new connections are refused
        await Task.Delay(StuckAfter * 2);
        for (var i = 0; i < 3; i++)
        {
            Assert.False(await connection.ReplaceIfStuckAsync(StuckAfter, CancellationToken.None));
        }
        Assert.Same(stuck, await connection.GetAsync(CancellationToken.None));
        Assert.False(connection.ReplacedToken(stuck).IsCancellationRequested);

        factory.Uri = broker;
        Assert.True(await ReplaceWithinAsync(connection, TimeSpan.FromSeconds(10)), "not replaced once the broker answered again");
        Assert.True((await connection.GetAsync(CancellationToken.None)).IsOpen);
    }

    private static ConnectionFactory Factory() => new()
    {
        Uri = new Uri(StackEnvironment.Current.RabbitMq),
        AutomaticRecoveryEnabled = true,
        NetworkRecoveryInterval = TimeSpan.FromMilliseconds(200),
    };

    /// <summary>Calls the check as the watchdog does, more often; true once it replaced the connection.</summary>
    private static async Task<bool> ReplaceWithinAsync(RabbitMqConnection connection, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await connection.ReplaceIfStuckAsync(StuckAfter, CancellationToken.None))
            {
                return true;
            }
            await Task.Delay(100);
        }
        return false;
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
