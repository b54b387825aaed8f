using ElasticRedPacket.LoadTests.Client;
using ElasticRedPacket.LoadTests.Load;
using ElasticRedPacket.LoadTests.Metrics;

namespace ElasticRedPacket.LoadTests.Tests;

public sealed class LoadEngineTests
{
    [Fact]
    public async Task RunAsync_InjectAgainstSink_HoldsRateWithinTwoPercent()
    {
        var target = new SinkTarget();
        var stats = new RunStats(target.Outcomes);
        var engine = new LoadEngine(target, stats, 1000, TimeSpan.FromSeconds(1));

        await engine.RunAsync([new Inject(2000, TimeSpan.FromSeconds(2))], CancellationToken.None);

        Assert.Equal(4000, stats.Completed);
        var starts = target.Starts.Order().ToArray();
        Assert.InRange(RateOf(starts, 0, starts.Length), 1960, 2040);
        // Every full second of the phase started its share of the rate, not a burst at the end.
        for (var s = 0; s < 2; s++)
        {
            Assert.InRange(stats.SecondAt(s)!.Latency.TotalCount, 1960, 2040);
        }
    }

    [Fact]
    public async Task RunAsync_InjectAgainstKestrel_HoldsRateWithinTwoPercent()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        var arrivals = new System.Collections.Concurrent.ConcurrentQueue<long>();
        app.MapGet("/ok", () =>
        {
            arrivals.Enqueue(Stopwatch.GetTimestamp());
            return "ok";
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var connection = new LoadConnection(new Uri(address), 64, TimeSpan.FromSeconds(5));
        var target = new TrivialTarget(connection, "/ok");
        var stats = new RunStats(target.Outcomes);
        var engine = new LoadEngine(target, stats, 1000, TimeSpan.FromSeconds(2));

        await engine.RunAsync([new Inject(1000, TimeSpan.FromSeconds(1)) { IsWarmUp = true }, new Inject(1000, TimeSpan.FromSeconds(2))], CancellationToken.None);

        var counts = string.Join(", ", stats.OutcomeCounts().Select(kv => $"{kv.Key} {kv.Value}")) + $"; dropped {stats.Dropped}";
        Assert.True(stats.OutcomeCount(0) == 2000, counts);
        Assert.Equal(0, stats.Errors + stats.Dropped);
        Assert.Equal(2000, stats.StatusCounts()[200]);
        // Once connections and JIT are warm, the server sees requests arrive at 1000/s: the 1500th to
        // the 2750th of the 3000 (the warm-up absorbs the cold start, the end excludes the last stragglers).
        var all = arrivals.Order().ToArray();
        Assert.Equal(3000, all.Length);
        Assert.InRange(RateOf(all, 1500, 2750), 980, 1020);
        Assert.Equal(2000 * "ok".Length, stats.BytesReceived);
    }

    /// <summary>
    /// Requests per second over timestamps[from..to): the least-squares slope of index against time. Unlike the first
    /// and last timestamps alone, one stall of this shared machine at either end does not move it; a generator that
    /// runs slow or fast throughout does.
    /// </summary>
    private static double RateOf(long[] timestamps, int from, int to)
    {
        var n = to - from;
        var meanT = 0.0;
        for (var i = from; i < to; i++)
        {
            meanT += Stopwatch.GetElapsedTime(timestamps[from], timestamps[i]).TotalSeconds / n;
        }
        var meanI = (from + to - 1) / 2.0;
        double covariance = 0, variance = 0;
        for (var i = from; i < to; i++)
        {
            var dt = Stopwatch.GetElapsedTime(timestamps[from], timestamps[i]).TotalSeconds - meanT;
            covariance += dt * (i - meanI);
            variance += dt * dt;
        }
        return covariance / variance;
    }

    [Fact]
    public async Task RunAsync_RampingInject_StartsTheIntegralOfTheRate()
    {
        var target = new SinkTarget();
        var stats = new RunStats(target.Outcomes);
        var engine = new LoadEngine(target, stats, 1000, TimeSpan.FromSeconds(1));

        await engine.RunAsync([new RampingInject(200, 1800, TimeSpan.FromSeconds(1))], CancellationToken.None);

        Assert.Equal(1000, stats.Completed);
        var starts = target.Starts.Order().ToArray();
        var firstHalf = starts.Count(t => Stopwatch.GetElapsedTime(starts[0], t).TotalSeconds < 0.5);
        // The first half second of a 200 -> 1800 ramp holds (200 + 1000) / 2 * 0.5 = 300 requests.
        Assert.InRange(firstHalf, 270, 330);
    }

    [Fact]
    public async Task RunAsync_SlowTargetOverMaxInFlight_CountsDroppedNeverSilently()
    {
        var target = new SinkTarget(TimeSpan.FromSeconds(1));
        var stats = new RunStats(target.Outcomes);
        var engine = new LoadEngine(target, stats, 10, TimeSpan.FromSeconds(3));

        await engine.RunAsync([new Inject(200, TimeSpan.FromSeconds(0.5))], CancellationToken.None);

        Assert.Equal(10, stats.Completed);
        Assert.Equal(90, stats.Dropped);
        Assert.Equal(10, target.MaxInFlight);
    }

    [Fact]
    public async Task RunAsync_StalledTarget_LatencyCountsFromIntendedStart()
    {
        // The system stalls for 300 ms: an open-model generator keeps starting requests, and each one's
        // latency runs from when it was due, so the stall shows (no coordinated omission).
        var gate = new TaskCompletionSource();
        var target = new SinkTarget { Gate = gate.Task };
        var stats = new RunStats(target.Outcomes);
        var engine = new LoadEngine(target, stats, 1000, TimeSpan.FromSeconds(2));
        _ = Task.Delay(300).ContinueWith(_ => gate.SetResult(), TaskScheduler.Default);

        await engine.RunAsync([new Inject(100, TimeSpan.FromSeconds(0.6))], CancellationToken.None);

        var latency = stats.MergedLatency();
        Assert.Equal(60, latency.TotalCount);
        Assert.InRange(latency.Max.TotalMilliseconds, 280, 400);
        // Half the requests were due during the stall, waiting 300 ms down to 0: the median of those is ~150 ms.
        Assert.InRange(latency.ValueAtQuantile(0.75).TotalMilliseconds, 100, 250);
    }

    [Fact]
    public async Task RunAsync_WarmUpPhase_IsNotMeasured()
    {
        var target = new SinkTarget();
        var stats = new RunStats(target.Outcomes);
        var engine = new LoadEngine(target, stats, 1000, TimeSpan.FromSeconds(1));

        await engine.RunAsync([new Inject(400, TimeSpan.FromSeconds(0.5)) { IsWarmUp = true }, new Inject(200, TimeSpan.FromSeconds(0.5))], CancellationToken.None);

        Assert.Equal(300, target.Starts.Count);
        Assert.Equal(100, stats.Completed);
    }

    [Fact]
    public async Task RunAsync_KeepConstantUsers_NeverMoreInFlightThanUsers()
    {
        var target = new SinkTarget(TimeSpan.FromMilliseconds(10));
        var stats = new RunStats(target.Outcomes);
        var engine = new LoadEngine(target, stats, 1000, TimeSpan.FromSeconds(1));

        await engine.RunAsync([new KeepConstant(4, TimeSpan.FromSeconds(0.5)), new Pause(TimeSpan.FromMilliseconds(100))], CancellationToken.None);

        Assert.Equal(4, target.MaxInFlight);
        // About 4 users x 0.5 s / 10 ms = 200 (timers may fire a little early, or late on a busy machine).
        Assert.InRange(stats.Completed, 40, 260);
        Assert.Equal(0, stats.Dropped);
    }

    [Fact]
    public void OpenSchedule_ConstantAndRamp_OffsetsFollowTheRate()
    {
        var constant = new OpenSchedule(1000, 1000, TimeSpan.FromSeconds(2));
        Assert.Equal(2000, constant.Count);
        Assert.Equal(0.5, constant.OffsetSeconds(500), 9);

        var ramp = new OpenSchedule(2000, 10000, TimeSpan.FromSeconds(1));
        Assert.Equal(6000, ramp.Count);
        Assert.True(ramp.OffsetSeconds(ramp.Count - 1) < 1);
        // At t = 0.5 s the ramp has started 2000 * 0.5 + 8000 * 0.25 / 2 = 2000 requests.
        Assert.Equal(0.5, ramp.OffsetSeconds(2000), 6);
    }
}
