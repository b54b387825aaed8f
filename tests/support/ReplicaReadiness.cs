using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace ElasticRedPacket.TestSupport;

/// <summary>
/// Every service replica's own /readyz (not through nginx), probed directly: one-off checks and a
/// watcher that records when each replica went not-ready and when it came back.
/// </summary>
public sealed class ReplicaReadiness : IAsyncDisposable
{
    private static readonly (string Service, int Offset)[] Services = [("webpage", 100), ("account", 110), ("redpacket", 120), ("monitor", 130)];
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly ConcurrentQueue<(string Replica, TimeSpan At, bool Ready, string Detail)> _changes = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock;
    private Task? _watching;

    private ReplicaReadiness(Stopwatch clock) => _clock = clock;

    /// <summary>name ("redpacket-1") and /readyz address of every replica the stack runs now.</summary>
    public static IEnumerable<(string Name, Uri Url)> Replicas()
    {
        var portBase = StackEnvironment.Current.PortBase;
        foreach (var (service, offset) in Services)
        {
            for (var i = 0; i < StackScripts.Replicas(service); i++)
            {
                yield return ($"{service}-{i}", new Uri($"http://127.0.0.1:{portBase + offset + i}/readyz"));
            }
        }
    }

    /// <summary>The replicas not ready now, each with its answer.</summary>
    public static async Task<List<string>> NotReadyAsync(HttpClient client)
    {
        var probes = Replicas().Select(async r => (r.Name, Detail: await ProbeAsync(client, r.Url))).ToArray();
        return (await Task.WhenAll(probes)).Where(p => p.Detail is not null).Select(p => $"{p.Name}: {p.Detail}").ToList();
    }

    /// <summary>Waits until every replica answers ready; returns those still not ready at the deadline.</summary>
    public static async Task<List<string>> WaitAllReadyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var notReady = await NotReadyAsync(client);
            if (notReady.Count == 0 || DateTime.UtcNow >= deadline)
            {
                return notReady;
            }
            await Task.Delay(250);
        }
    }

    /// <summary>Starts probing every replica each <paramref name="interval"/>, times taken from <paramref name="clock"/>.</summary>
    public static ReplicaReadiness Watch(Stopwatch clock, TimeSpan interval)
    {
        var watcher = new ReplicaReadiness(clock);
        watcher._watching = watcher.WatchAsync(interval);
        return watcher;
    }

    /// <summary>Each replica's readiness changes, in order ("redpacket-0 not ready at 1.2 s (503 ...)").</summary>
    public IReadOnlyList<(string Replica, TimeSpan At, bool Ready, string Detail)> Changes => _changes.ToArray();

    /// <summary>When the last replica that had gone not-ready was ready again (null: none went not-ready, or one is still not ready).</summary>
    public TimeSpan? AllReadyAgainAt()
    {
        var last = _changes.GroupBy(c => c.Replica).Select(g => g.Last()).ToList();
        return last.Count == 0 || last.Any(c => !c.Ready) ? null : last.Max(c => c.At);
    }

    /// <summary>"redpacket-0 not ready at +0.3 s (503 postgres); redpacket-0 ready at +1.1 s", times from <paramref name="origin"/>.</summary>
    public string Describe(TimeSpan origin) => _changes.IsEmpty
        ? "every replica stayed ready"
        : string.Join("; ", _changes.Select(c => $"{c.Replica} {(c.Ready ? "ready" : "not ready")} at {(c.At - origin).TotalSeconds:+0.0;-0.0} s{(c.Ready ? "" : $" ({c.Detail})")}"));

    private async Task WatchAsync(TimeSpan interval)
    {
        var replicas = Replicas().ToArray();
        var ready = replicas.ToDictionary(r => r.Name, _ => true);
        while (!_stop.IsCancellationRequested)
        {
            var probes = replicas.Select(async r => (r.Name, Detail: await ProbeAsync(_client, r.Url))).ToArray();
            foreach (var (name, detail) in await Task.WhenAll(probes))
            {
                if (ready[name] != (detail is null))
                {
                    ready[name] = detail is null;
                    _changes.Enqueue((name, _clock.Elapsed, detail is null, detail ?? ""));
                }
            }
            try
            {
                await Task.Delay(interval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static async Task<string?> ProbeAsync(HttpClient client, Uri url)
    {
        try
        {
            using var response = await client.GetAsync(url);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return null;
            }
            return $"{(int)response.StatusCode} {UnhealthyChecks(await response.Content.ReadAsStringAsync())}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return ex.GetType().Name;
        }
    }

    /// <summary>The names of the failing checks in a /readyz answer ({"checks":{"postgres":{"status":"Unhealthy"}}}), else the answer itself.</summary>
    private static string UnhealthyChecks(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return string.Join(",", json.RootElement.GetProperty("checks").EnumerateObject()
                .Where(c => c.Value.GetProperty("status").GetString() != "Healthy").Select(c => c.Name));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return body[..Math.Min(body.Length, 120)];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_watching is not null)
        {
            await _watching;
        }
        _stop.Dispose();
        _client.Dispose();
    }
}
