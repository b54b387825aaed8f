using System.Text;
using Dapper;
using ElasticRedPacket.ServiceDefaults.Data;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RabbitMQ.Client;
using StackExchange.Redis;

namespace ElasticRedPacket.ServiceDefaults.Tests;

/// <summary>The real PostgreSQL, Redis and RabbitMQ that the test command started.</summary>
public sealed class InfrastructureTests
{
    private static readonly StackEnvironment Stack = StackEnvironment.Current;

    [Fact]
    public async Task Postgres_RoundTrip_ReturnsWhatWasSent()
    {
        await using var dataSource = NpgsqlDataSource.Create(Stack.Postgres);
        await using var connection = await dataSource.OpenConnectionAsync();
        var echoed = await connection.QuerySingleAsync<string>("SELECT @text", new { text = "red packet 红包" });
        Assert.Equal("red packet 红包", echoed);
    }

    [Fact]
    public async Task Migrations_AppliedTwiceAndConcurrently_EachVersionRecordedOnce()
    {
        await using var dataSource = NpgsqlDataSource.Create(Stack.Postgres);
        var migrators = Enumerable.Range(0, 3).Select(_ => new Migrator(dataSource, NullLogger<Migrator>.Instance)).ToArray();

        await Task.WhenAll(migrators.Select(m => m.ApplyAsync(CancellationToken.None)));
        var secondRun = await migrators[0].ApplyAsync(CancellationToken.None);

        Assert.Equal(0, secondRun);
        await using var connection = await dataSource.OpenConnectionAsync();
        var versions = (await connection.QueryAsync<int>("SELECT version FROM schema_migrations ORDER BY version")).ToList();
        Assert.Equal(Migrator.Embedded.Select(m => m.Version), versions);
        Assert.NotEmpty(versions);
        var tables = await connection.QueryAsync<string>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
        Assert.Contains("claims", tables);
    }

    [Fact]
    public async Task Redis_SetThenGet_RoundTrips()
    {
        using var redis = await ConnectionMultiplexer.ConnectAsync(Stack.Redis);
        var db = redis.GetDatabase();
        var key = "test:" + Guid.NewGuid();
        await db.StringSetAsync(key, "42", TimeSpan.FromMinutes(1));
        Assert.Equal("42", (string?)await db.StringGetAsync(key));
        Assert.True(await db.KeyDeleteAsync(key));
    }

    [Fact]
    public async Task RabbitMq_PublishWithConfirmsToQuorumQueue_ConsumesSameMessage()
    {
        var factory = new ConnectionFactory { Uri = new Uri(Stack.RabbitMq) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var queue = "test." + Guid.NewGuid().ToString("N");
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
        try
        {
            await channel.BasicPublishAsync("", queue, mandatory: true, new BasicProperties { Persistent = true }, Encoding.UTF8.GetBytes("hello"));
            BasicGetResult? result = null;
            for (var i = 0; i < 50 && result is null; i++)
            {
                result = await channel.BasicGetAsync(queue, autoAck: true);
                if (result is null)
                {
                    await Task.Delay(100);
                }
            }
            Assert.NotNull(result);
            Assert.Equal("hello", Encoding.UTF8.GetString(result.Body.Span));
        }
        finally
        {
            await channel.QueueDeleteAsync(queue);
        }
    }
}
