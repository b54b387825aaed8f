using ElasticRedPacket.LoadTests.Load;
using ElasticRedPacket.LoadTests.Metrics;

namespace ElasticRedPacket.LoadTests.Report;

/// <summary>
/// One console line per second while the load runs: the phase, completions in the last second,
/// in-flight and dropped requests, errors, p50/p99 of the requests meant to start in the last
/// complete second, and the leading outcomes.
/// </summary>
public sealed class ProgressPrinter(LoadEngine engine, RunStats stats, TextWriter output)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await output.WriteLineAsync(Line(Stopwatch.GetElapsedTime(started)));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public string Line(TimeSpan elapsed)
    {
        var inv = CultureInfo.InvariantCulture;
        var text = string.Create(inv, $"[{elapsed.TotalSeconds,4:0}s] {engine.CurrentPhase,-32} in-flight {engine.InFlight,5}");
        if (stats.StartTimestamp == long.MaxValue || Stopwatch.GetTimestamp() < stats.StartTimestamp)
        {
            return text + " (warm-up, not measured)";
        }
        var now = (int)(Stopwatch.GetElapsedTime(stats.StartTimestamp).TotalSeconds);
        var last = stats.SecondAt(now - 1);
        if (last is null)
        {
            return text;
        }
        var outcomes = Enumerable.Range(0, stats.Outcomes.Count)
            .Select(i => (name: stats.Outcomes[i], count: last.OutcomeCount(i)))
            .Where(x => x.count > 0).OrderByDescending(x => x.count).Take(4)
            .Select(x => $"{x.name} {x.count}");
        return text + string.Create(inv,
            $" | {last.Completed,6}/s done | p50 {Ms(last.Latency.ValueAtQuantile(0.5))} p99 {Ms(last.Latency.ValueAtQuantile(0.99))} | errors {stats.Errors} dropped {stats.Dropped} | {string.Join(", ", outcomes)}");
    }

    private static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + "ms";
}
