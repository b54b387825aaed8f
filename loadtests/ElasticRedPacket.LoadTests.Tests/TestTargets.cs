using ElasticRedPacket.LoadTests.Load;
using ElasticRedPacket.LoadTests.Metrics;

namespace ElasticRedPacket.LoadTests.Tests;

/// <summary>In-process targets: a sink that answers at once (and notes when each request really started), and a slow one.</summary>
internal sealed class SinkTarget(TimeSpan delay = default) : ILoadTarget
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<long> _starts = new();
    private int _inFlight;
    private int _maxInFlight;

    public OutcomeSet Outcomes { get; } = new(["ok"]);

    public IReadOnlyCollection<long> Starts => _starts;

    public int MaxInFlight => _maxInFlight;

    public Task? Gate { get; init; }

    public async ValueTask<Sample> ExecuteAsync(long sequence, CancellationToken cancellationToken)
    {
        _starts.Enqueue(Stopwatch.GetTimestamp());
        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
        {
        }
        if (Gate is { } gate)
        {
            await gate;
        }
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken);
        }
        Interlocked.Decrement(ref _inFlight);
        return new Sample(0, 200, 10, 20);
    }
}
