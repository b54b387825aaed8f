using System.Diagnostics;
using ElasticRedPacket.ServiceDefaults.Messaging;

namespace ElasticRedPacket.RedPacket.Messaging;

/// <summary>
/// Outcome counts per campaign, grouped into generations. An answer adds its count to the open
/// generation and waits for <see cref="OutcomeGeneration.Durable"/> before it is sent, so a count is
/// in RabbitMQ (confirmed) before the client hears the answer: a replica killed with -9 cannot take
/// the counts of answers already heard with it (guarantee 5). <see cref="OutcomePublisher"/> takes
/// the open generation whenever it is free, so one confirm serves every answer that arrived meanwhile.
/// A won answer does not wait and does not hurry the publisher: its claim row is durable already and
/// monitor's won is the ledger's count, so its count rides with the next batch.
/// Campaign 0 holds answers to requests that named no valid campaign.
/// </summary>
public sealed class OutcomeRecorder : IDisposable
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _awaited = new(0);
    private OutcomeGeneration _open = new();
    private volatile bool _brokerAnswering = true;

    /// <summary>
    /// False while RabbitMQ does not confirm (the publisher says so): answers then go without waiting,
    /// their counts kept in memory until it is back, instead of every answer waiting for a publish that fails.
    /// </summary>
    public bool BrokerAnswering
    {
        get => _brokerAnswering;
        set => _brokerAnswering = value;
    }

    /// <summary>
    /// Counts one answer; the task completes when the answer may be sent: when its count is durable, at
    /// once for won, and at once while the broker is not answering.
    /// </summary>
    public Task RecordAsync(long campaignId, GrabOutcome outcome)
    {
        var awaited = outcome != GrabOutcome.Won;
        lock (_gate)
        {
            if (_open.Add(campaignId, outcome, awaited))
            {
                _awaited.Release();
            }
            return awaited && _brokerAnswering ? _open.Durable : Task.CompletedTask;
        }
    }

    /// <summary>Completes once an answer waits for the open generation (or the timeout passed: false).</summary>
    public Task<bool> WaitForAwaitedCountsAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _awaited.WaitAsync(timeout, cancellationToken);

    /// <summary>How long the open generation's first waiting answer has waited (zero when none waits).</summary>
    public TimeSpan OpenAwaitedFor()
    {
        lock (_gate)
        {
            return _open.AwaitedSince is { } since ? Stopwatch.GetElapsedTime(since) : TimeSpan.Zero;
        }
    }

    /// <summary>Closes the open generation and returns it, or null when it holds no count.</summary>
    public OutcomeGeneration? TakeOpen()
    {
        lock (_gate)
        {
            if (_open.IsEmpty)
            {
                return null;
            }
            var taken = _open;
            _open = new OutcomeGeneration();
            return taken;
        }
    }

    public void Dispose() => _awaited.Dispose();
}

/// <summary>The counts of the answers waiting for one publish; mutated only under the recorder's lock.</summary>
public sealed class OutcomeGeneration
{
    private static readonly int OutcomeCount = GrabOutcomes.All.Count;
    private readonly Dictionary<long, long[]> _counts = [];
    private readonly TaskCompletionSource _durable = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Durable => _durable.Task;

    /// <summary>The Stopwatch timestamp of the first count an answer waits for, if any.</summary>
    public long? AwaitedSince { get; private set; }

    public bool IsEmpty => _counts.Count == 0;

    /// <summary>Adds one count; true when it is the generation's first count an answer waits for.</summary>
    internal bool Add(long campaignId, GrabOutcome outcome, bool awaited)
    {
        var first = awaited && AwaitedSince is null;
        if (first)
        {
            AwaitedSince = Stopwatch.GetTimestamp();
        }
        if (!_counts.TryGetValue(campaignId, out var counts))
        {
            counts = new long[OutcomeCount];
            _counts.Add(campaignId, counts);
        }
        counts[(int)outcome]++;
        return first;
    }

    /// <summary>The counts as published; call only after the recorder handed the generation out.</summary>
    public List<OutcomeCount> ToCounts()
    {
        var result = new List<OutcomeCount>();
        foreach (var (campaignId, counts) in _counts)
        {
            for (var i = 0; i < counts.Length; i++)
            {
                if (counts[i] > 0)
                {
                    result.Add(new OutcomeCount(campaignId, ((GrabOutcome)i).Name(), counts[i]));
                }
            }
        }
        return result;
    }

    /// <summary>Lets the waiting answers go (their counts are confirmed, or waiting longer would only delay them).</summary>
    public void Release() => _durable.TrySetResult();
}
