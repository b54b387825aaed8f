namespace ElasticRedPacket.ServiceDefaults.Tests;

[CollectionDefinition(nameof(RecoveryTests), DisableParallelization = true)]
public sealed class RecoveryCollection;

/// <summary>
/// A server restarts under the running services: each service reconnects by itself and its
/// /readyz is 200 again, without anyone restarting the service. Runs alone (no other test in this
/// assembly runs while a server is down).
/// </summary>
[Collection(nameof(RecoveryTests))]
public sealed class RecoveryTests
{
    [Theory]
    [InlineData("restart", "postgres")]
    [InlineData("restart", "redis")]
    [InlineData("restart", "rabbitmq")]
    [InlineData("crash", "rabbitmq")]
    public async Task ServerRestart_ServicesReconnect_EveryReplicaReadyAgain(string fault, string server)
    {
        await StackScripts.RunAsync("fault.sh", fault, server);

        var notReady = await ReplicaReadiness.WaitAllReadyAsync(TimeSpan.FromSeconds(60));

        Assert.True(notReady.Count == 0, $"not ready 60 s after {fault} {server}:\n" + string.Join('\n', notReady));
    }
}
