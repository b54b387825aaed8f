using System.Net;

namespace ElasticRedPacket.ServiceDefaults.Tests;

/// <summary>deploy/local/scale.sh changes a service's replica count while traffic flows through nginx.</summary>
public sealed class ScaleTests
{
    private static readonly StackEnvironment Stack = StackEnvironment.Current;

    [Fact]
    public async Task Scale_OutAndInUnderTraffic_NginxAnswersEveryRequest()
    {
        using var client = new HttpClient { BaseAddress = Stack.NginxUrl, Timeout = TimeSpan.FromSeconds(10) };
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var traffic = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            // Bounded: stops when scaling is done or after 90 s, whichever is first.
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.GetAsync(new Uri("/_stack/redpacket/healthz", UriKind.Relative), stop.Token);
                    statuses.Add(response.StatusCode);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
                catch (HttpRequestException ex)
                {
                    failures.Add(ex.Message);
                }
            }
        })).ToArray();

        var original = StackScripts.Replicas("redpacket");
        await StackScripts.RunAsync("scale.sh", "redpacket", (original + 1).ToString());
        var upstreamsAfterOut = CountUpstreamServers("redpacket");
        await StackScripts.RunAsync("scale.sh", "redpacket", original.ToString());
        var upstreamsAfterIn = CountUpstreamServers("redpacket");
        await stop.CancelAsync();
        await Task.WhenAll(traffic);

        Assert.Equal(original + 1, upstreamsAfterOut);
        Assert.Equal(original, upstreamsAfterIn);
        Assert.Empty(failures);
        Assert.True(statuses.Count > 50, $"only {statuses.Count} requests completed");
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
    }

    private static int CountUpstreamServers(string service)
    {
        var config = File.ReadAllLines(Path.Combine(Stack.DataDir, "nginx", "nginx.conf"));
        var start = Array.FindIndex(config, l => l.Trim() == $"upstream {service} {{");
        return config.Skip(start + 1).TakeWhile(l => l.Trim() != "}").Count(l => l.Trim().StartsWith("server ", StringComparison.Ordinal));
    }
}
