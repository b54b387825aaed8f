using System.Net;

namespace ElasticRedPacket.ServiceDefaults.Tests;

/// <summary>
/// deploy/local/scale.sh changes a service's replica count while traffic flows through nginx. The
/// clients behave as HTTP/1.1 clients must: a request on a kept-alive connection that nginx closes at
/// that very moment (its old workers close their idle connections at a reload) is sent once more on
/// a new connection; a request that fails twice is a failure.
/// </summary>
public sealed class ScaleTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly StackEnvironment Stack = StackEnvironment.Current;

    [Fact]
    public async Task Scale_OutAndInUnderTraffic_NginxAnswersEveryRequest()
    {
        using var client = new HttpClient { BaseAddress = Stack.NginxUrl, Timeout = TimeSpan.FromSeconds(10) };
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var sentAgain = 0;
        var traffic = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            // Bounded: stops when scaling is done or after 90 s, whichever is first.
            while (!stop.IsCancellationRequested)
            {
                for (var attempt = 1; attempt <= 2; attempt++)
                {
                    try
                    {
                        using var response = await client.GetAsync(new Uri("/_stack/redpacket/healthz", UriKind.Relative), stop.Token);
                        statuses.Add(response.StatusCode);
                        break;
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        break;
                    }
                    catch (HttpRequestException ex) when (attempt == 1)
                    {
                        Interlocked.Increment(ref sentAgain);
                        output.WriteLine("sent again after: " + ex.Message);
                    }
                    catch (HttpRequestException ex)
                    {
                        failures.Add(ex.Message);
                    }
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

        output.WriteLine($"{statuses.Count} answers, {sentAgain} requests sent a second time, {failures.Count} failed twice");
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
