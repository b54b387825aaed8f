using System.Net;

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
    private static readonly StackEnvironment Stack = StackEnvironment.Current;
    private static readonly string[] Services = ["webpage", "account", "redpacket", "monitor"];

    [Theory]
    [InlineData("restart", "postgres")]
    [InlineData("restart", "redis")]
    [InlineData("restart", "rabbitmq")]
    [InlineData("crash", "rabbitmq")]
    public async Task ServerRestart_ServicesReconnect_EveryReplicaReadyAgain(string fault, string server)
    {
        await StackScripts.RunAsync("fault.sh", fault, server);

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var notReady = new List<string>();
        do
        {
            notReady.Clear();
            foreach (var url in ReplicaReadinessUrls())
            {
                try
                {
                    using var response = await client.GetAsync(url);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        notReady.Add($"{url} {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    }
                }
                catch (HttpRequestException ex)
                {
                    notReady.Add($"{url} {ex.Message}");
                }
            }
            if (notReady.Count > 0)
            {
                await Task.Delay(500);
            }
        }
        while (notReady.Count > 0 && DateTime.UtcNow < deadline);

        Assert.True(notReady.Count == 0, $"not ready 60 s after {fault} {server}:\n" + string.Join('\n', notReady));
    }

    private static IEnumerable<Uri> ReplicaReadinessUrls()
    {
        var offsets = new Dictionary<string, int> { ["webpage"] = 100, ["account"] = 110, ["redpacket"] = 120, ["monitor"] = 130 };
        foreach (var service in Services)
        {
            var replicas = StackScripts.Replicas(service);
            for (var i = 0; i < replicas; i++)
            {
                yield return new Uri($"http://127.0.0.1:{Stack.PortBase + offsets[service] + i}/readyz");
            }
        }
    }
}
