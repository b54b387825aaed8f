namespace ElasticRedPacket.LoadTests.Metrics;

/// <summary>
/// Everything the run measures, recorded lock-free from any thread: a latency histogram per
/// outcome, per-second histograms (by intended start), completions per second, status codes,
/// body bytes and requests the generator could not start. Warm-up samples are never recorded.
/// </summary>
public sealed class RunStats
{
    private const int MaxSeconds = 3600;
    private readonly LatencyHistogram[] _byOutcome;
    private readonly long[] _outcomeCounts;
    private readonly SecondStats?[] _seconds = new SecondStats?[MaxSeconds];
    private readonly long[] _statusCounts = new long[600];
    private long _bytesSent;
    private long _bytesReceived;
    private long _dropped;
    private long _errors;
    private long _startTimestamp = long.MaxValue;
    private int _lastSecond = -1;

    public RunStats(OutcomeSet outcomes)
    {
        Outcomes = outcomes;
        _byOutcome = [.. Enumerable.Range(0, outcomes.Count).Select(_ => new LatencyHistogram())];
        _outcomeCounts = new long[outcomes.Count];
    }

    public OutcomeSet Outcomes { get; }

    /// <summary>Stopwatch timestamp where measurement starts (after warm-up); unset until <see cref="StartMeasuring"/>.</summary>
    public long StartTimestamp => Volatile.Read(ref _startTimestamp);

    public long BytesSent => Volatile.Read(ref _bytesSent);

    public long BytesReceived => Volatile.Read(ref _bytesReceived);

    public long Dropped => Volatile.Read(ref _dropped);

    public long Errors => Volatile.Read(ref _errors);

    public long Completed => Enumerable.Range(0, _outcomeCounts.Length).Sum(OutcomeCount);

    public int LastSecond => Volatile.Read(ref _lastSecond);

    public void StartMeasuring(long timestamp) => Volatile.Write(ref _startTimestamp, timestamp);

    public static bool IsError(in Sample sample, OutcomeSet outcomes) =>
        sample.StatusCode is 0 or >= 500 || sample.Outcome == outcomes.HttpError || sample.Outcome == outcomes.TransportError;

    /// <summary>Records a completed request that was meant to start at <paramref name="intendedTimestamp"/>.</summary>
    public void Record(in Sample sample, long intendedTimestamp, long completedTimestamp)
    {
        var start = StartTimestamp;
        if (intendedTimestamp < start)
        {
            return; // warm-up
        }
        var latency = Stopwatch.GetElapsedTime(intendedTimestamp, completedTimestamp);
        _byOutcome[sample.Outcome].Record(latency);
        Interlocked.Increment(ref _outcomeCounts[sample.Outcome]);
        if ((uint)sample.StatusCode < (uint)_statusCounts.Length)
        {
            Interlocked.Increment(ref _statusCounts[sample.StatusCode]);
        }
        Interlocked.Add(ref _bytesSent, sample.BytesSent);
        Interlocked.Add(ref _bytesReceived, sample.BytesReceived);
        var error = IsError(sample, Outcomes);
        if (error)
        {
            Interlocked.Increment(ref _errors);
        }

        var started = Second(intendedTimestamp - start);
        started.Latency.Record(latency);
        started.AddOutcome(sample.Outcome, error);
        Second(completedTimestamp - start).AddCompleted();
    }

    /// <summary>A request the generator could not start because max-in-flight was reached.</summary>
    public void RecordDropped(long intendedTimestamp)
    {
        var start = StartTimestamp;
        if (intendedTimestamp < start)
        {
            return;
        }
        Interlocked.Increment(ref _dropped);
        Second(intendedTimestamp - start).AddDropped();
    }

    public long OutcomeCount(int outcome) => Volatile.Read(ref _outcomeCounts[outcome]);

    public LatencyHistogram OutcomeLatency(int outcome) => _byOutcome[outcome];

    public LatencyHistogram MergedLatency()
    {
        var all = new LatencyHistogram();
        foreach (var histogram in _byOutcome)
        {
            all.Add(histogram);
        }
        return all;
    }

    public IReadOnlyDictionary<int, long> StatusCounts() => Enumerable.Range(0, _statusCounts.Length)
        .Where(code => Volatile.Read(ref _statusCounts[code]) > 0)
        .ToDictionary(code => code, code => Volatile.Read(ref _statusCounts[code]));

    public IReadOnlyDictionary<string, long> OutcomeCounts() => Enumerable.Range(0, Outcomes.Count)
        .ToDictionary(i => Outcomes[i], OutcomeCount, StringComparer.Ordinal);

    /// <summary>The per-second stats of second <paramref name="second"/> (null when nothing happened in it).</summary>
    public SecondStats? SecondAt(int second) => (uint)second < MaxSeconds ? Volatile.Read(ref _seconds[second]) : null;

    private SecondStats Second(long elapsedTimestampTicks)
    {
        var second = (int)Math.Clamp(elapsedTimestampTicks / Stopwatch.Frequency, 0, MaxSeconds - 1);
        var stats = Volatile.Read(ref _seconds[second]);
        if (stats is null)
        {
            Interlocked.CompareExchange(ref _seconds[second], new SecondStats(Outcomes.Count), null);
            stats = _seconds[second]!;
            var last = Volatile.Read(ref _lastSecond);
            while (second > last && Interlocked.CompareExchange(ref _lastSecond, second, last) != last)
            {
                last = Volatile.Read(ref _lastSecond);
            }
        }
        return stats;
    }
}
