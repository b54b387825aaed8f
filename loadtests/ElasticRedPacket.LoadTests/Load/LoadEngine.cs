using ElasticRedPacket.LoadTests.Metrics;

namespace ElasticRedPacket.LoadTests.Load;

/// <summary>
/// Runs phases against a target. Open phases use a dedicated generator thread that starts each
/// request at its intended time (OpenSchedule) without waiting for answers; latency is measured
/// from that intended time, so a stalled system or a late generator shows up as latency instead of
/// being hidden (coordinated omission). When max-in-flight requests are outstanding a due request
/// is not started and is counted as dropped by the generator. Closed phases run N virtual users.
/// </summary>
public sealed class LoadEngine(ILoadTarget target, RunStats stats, int maxInFlight, TimeSpan drainTimeout)
{
    private long _sequence;
    private int _inFlight;
    private volatile string _phase = "starting";

    public int InFlight => Volatile.Read(ref _inFlight);

    public long Started => Interlocked.Read(ref _sequence);

    public string CurrentPhase => _phase;

    public async Task RunAsync(IReadOnlyList<Simulation> phases, CancellationToken cancellationToken)
    {
        if (phases.Count == 0 || phases.All(p => p.IsWarmUp))
        {
            throw new ArgumentException("at least one measured phase is needed", nameof(phases));
        }
        EnsureThreads();
        var measuring = false;
        foreach (var phase in phases)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            if (!phase.IsWarmUp && !measuring)
            {
                stats.StartMeasuring(Stopwatch.GetTimestamp());
                measuring = true;
            }
            _phase = (phase.IsWarmUp ? "warm-up: " : "") + phase.Describe();
            switch (phase)
            {
                case Inject inject:
                    await RunOpenAsync(new OpenSchedule(inject.Rate, inject.Rate, inject.During), inject.During, cancellationToken);
                    break;
                case RampingInject ramp:
                    await RunOpenAsync(new OpenSchedule(ramp.From, ramp.To, ramp.During), ramp.During, cancellationToken);
                    break;
                case KeepConstant constant:
                    await RunClosedAsync(constant.Users, constant.During, cancellationToken);
                    break;
                case Pause pause:
                    await Task.Delay(pause.During, cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default);
                    break;
                default:
                    throw new NotSupportedException(phase.GetType().Name);
            }
        }
        _phase = "draining";
        var deadline = Stopwatch.GetTimestamp() + (long)(drainTimeout.TotalSeconds * Stopwatch.Frequency);
        while (InFlight > 0 && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(10, CancellationToken.None);
        }
        _phase = "done";
    }

    /// <summary>
    /// A load generator must not wait for the thread pool's hill climbing: when a burst of answers
    /// (or the in-process test server) needs more threads than the cores, the pool injects one about
    /// every half second, and the open model's requests would be sent in bursts after stalls (seen:
    /// 500-800 ms gaps at 1000/s on two cores). Enough threads are kept ready up front.
    /// </summary>
    private static void EnsureThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        var wanted = Math.Max(64, Environment.ProcessorCount * 16);
        if (workers < wanted || io < wanted)
        {
            ThreadPool.SetMinThreads(Math.Max(workers, wanted), Math.Max(io, wanted));
        }
    }

    private Task RunOpenAsync(OpenSchedule schedule, TimeSpan during, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => Generate(schedule, during, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Generate(OpenSchedule schedule, TimeSpan during, CancellationToken cancellationToken)
    {
        var phaseStart = Stopwatch.GetTimestamp();
        double frequency = Stopwatch.Frequency;
        for (long i = 0; i < schedule.Count; i++)
        {
            var intended = phaseStart + (long)(schedule.OffsetSeconds(i) * frequency);
            // Sleep (about 1 ms granularity) until due; never spin: the system under test shares the CPU.
            while (Stopwatch.GetTimestamp() < intended)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                Thread.Sleep(1);
            }
            if (Interlocked.Increment(ref _inFlight) > maxInFlight)
            {
                Interlocked.Decrement(ref _inFlight);
                stats.RecordDropped(intended);
                continue;
            }
            _ = ExecuteOneAsync(Interlocked.Increment(ref _sequence) - 1, intended, cancellationToken);
        }
        // The last request is due just before the phase's end; hold the phase to its full length.
        while (Stopwatch.GetElapsedTime(phaseStart) < during && !cancellationToken.IsCancellationRequested)
        {
            Thread.Sleep(1);
        }
    }

    private async Task RunClosedAsync(int users, TimeSpan during, CancellationToken cancellationToken)
    {
        var end = Stopwatch.GetTimestamp() + (long)(during.TotalSeconds * Stopwatch.Frequency);
        var loops = new Task[users];
        for (var u = 0; u < users; u++)
        {
            loops[u] = Task.Run(() => UserLoopAsync(end, cancellationToken), CancellationToken.None);
        }
        await Task.WhenAll(loops);
    }

    private async Task UserLoopAsync(long end, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested && Stopwatch.GetTimestamp() < end)
        {
            Interlocked.Increment(ref _inFlight);
            await ExecuteOneAsync(Interlocked.Increment(ref _sequence) - 1, Stopwatch.GetTimestamp(), cancellationToken);
        }
    }

    private async Task ExecuteOneAsync(long sequence, long intended, CancellationToken cancellationToken)
    {
        Sample sample;
        try
        {
            sample = await target.ExecuteAsync(sequence, cancellationToken);
        }
        catch (Exception)
        {
            sample = new Sample(target.Outcomes.TransportError, 0, 0, 0);
        }
        stats.Record(sample, intended, Stopwatch.GetTimestamp());
        Interlocked.Decrement(ref _inFlight);
    }
}
