using System.Runtime;

namespace ElasticRedPacket.LoadTests.Metrics;

/// <summary>
/// The harness's own garbage collections during the load. A collection that stops the harness's threads times
/// every answer that arrives meanwhile late, so its pauses are part of the measured latency, not the system's.
/// Counts and the total pause come from the runtime; the longest pause is read from the last collection of each
/// kind once a second (a lower bound when one kind collects several times within a second).
/// </summary>
public sealed class HarnessGcWatch
{
    private static readonly GCKind[] Kinds = [GCKind.Ephemeral, GCKind.FullBlocking, GCKind.Background];
    private readonly long[] _lastIndex = new long[Kinds.Length];
    private readonly int[] _startCounts = new int[3];
    private TimeSpan _startPause;
    private TimeSpan _longest;

    public void Start()
    {
        for (var generation = 0; generation < _startCounts.Length; generation++)
        {
            _startCounts[generation] = GC.CollectionCount(generation);
        }
        _startPause = GC.GetTotalPauseDuration();
        for (var k = 0; k < Kinds.Length; k++)
        {
            _lastIndex[k] = GC.GetGCMemoryInfo(Kinds[k]).Index;
        }
    }

    public void Sample()
    {
        for (var k = 0; k < Kinds.Length; k++)
        {
            var info = GC.GetGCMemoryInfo(Kinds[k]);
            if (info.Index == _lastIndex[k])
            {
                continue;
            }
            _lastIndex[k] = info.Index;
            foreach (var pause in info.PauseDurations)
            {
                _longest = pause > _longest ? pause : _longest;
            }
        }
    }

    public HarnessGcReport Stop()
    {
        Sample();
        int Count(int generation) => GC.CollectionCount(generation) - _startCounts[generation];
        // A gen2 collection counts as a gen1 and a gen0 too: report each generation's own.
        return new HarnessGcReport(Count(0) - Count(1), Count(1) - Count(2), Count(2),
            Math.Round((GC.GetTotalPauseDuration() - _startPause).TotalMilliseconds, 1), Math.Round(_longest.TotalMilliseconds, 1),
            GCSettings.IsServerGC, GCSettings.LatencyMode != GCLatencyMode.Batch);
    }
}

/// <summary>The harness's collections during the load by generation, their total pause and the longest seen.</summary>
public sealed record HarnessGcReport(int Gen0, int Gen1, int Gen2, double PausedMs, double LongestPauseMs, bool ServerGc, bool Concurrent)
{
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"harness GC during the load ({(ServerGc ? "server" : "workstation")}, {(Concurrent ? "background gen2" : "blocking gen2")}): {Gen0} gen0, {Gen1} gen1, {Gen2} gen2; paused {PausedMs} ms in all, longest seen {LongestPauseMs} ms");
}
