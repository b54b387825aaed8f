namespace ElasticRedPacket.LoadTests.Metrics;

/// <summary>One second of the measured run: requests by intended start second (latency, outcomes, errors, dropped) and completions in it.</summary>
public sealed class SecondStats(int outcomeCount)
{
    private readonly long[] _outcomes = new long[outcomeCount];
    private long _completed;
    private long _errors;
    private long _dropped;

    public LatencyHistogram Latency { get; } = new();

    public long Completed => Volatile.Read(ref _completed);

    public long Errors => Volatile.Read(ref _errors);

    public long Dropped => Volatile.Read(ref _dropped);

    public long OutcomeCount(int outcome) => Volatile.Read(ref _outcomes[outcome]);

    internal void AddOutcome(int outcome, bool error)
    {
        Interlocked.Increment(ref _outcomes[outcome]);
        if (error)
        {
            Interlocked.Increment(ref _errors);
        }
    }

    internal void AddCompleted() => Interlocked.Increment(ref _completed);

    internal void AddDropped() => Interlocked.Increment(ref _dropped);
}
