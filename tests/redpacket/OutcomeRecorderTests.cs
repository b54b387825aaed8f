using ElasticRedPacket.RedPacket.Messaging;
using ElasticRedPacket.ServiceDefaults.Messaging;

namespace ElasticRedPacket.RedPacket.Tests;

/// <summary>The recorder behind guarantee 5: an answer waits for its own generation, and no count is lost between generations.</summary>
public sealed class OutcomeRecorderTests
{
    [Fact]
    public async Task RecordAsync_WaitsUntilItsGenerationIsReleased_LaterAnswersGoToTheNext()
    {
        using var recorder = new OutcomeRecorder();
        var first = recorder.RecordAsync(7, GrabOutcome.SoldOut);
        var second = recorder.RecordAsync(7, GrabOutcome.SoldOut);
        Assert.True(await recorder.WaitForAwaitedCountsAsync(TimeSpan.FromSeconds(1), CancellationToken.None));
        var taken = recorder.TakeOpen()!;
        var third = recorder.RecordAsync(8, GrabOutcome.TryAgain);

        Assert.Same(first, second);
        Assert.NotSame(first, third);
        Assert.False(first.IsCompleted);
        Assert.Equal([new OutcomeCount(7, "sold_out", 2)], taken.ToCounts());

        taken.Release();
        await first.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(third.IsCompleted);
        Assert.Equal([new OutcomeCount(8, "try_again", 1)], recorder.TakeOpen()!.ToCounts());
        Assert.Null(recorder.TakeOpen());
    }

    [Fact]
    public async Task RecordAsync_Won_NeitherWaitsNorWakesThePublisher_ButRidesWithTheNextGeneration()
    {
        using var recorder = new OutcomeRecorder();
        var won = recorder.RecordAsync(7, GrabOutcome.Won);

        Assert.True(won.IsCompleted);
        Assert.False(await recorder.WaitForAwaitedCountsAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None));

        var soldOut = recorder.RecordAsync(7, GrabOutcome.SoldOut);
        Assert.False(soldOut.IsCompleted);
        Assert.True(await recorder.WaitForAwaitedCountsAsync(TimeSpan.FromSeconds(1), CancellationToken.None));
        var taken = recorder.TakeOpen()!;
        Assert.Equal([new OutcomeCount(7, "sold_out", 1), new OutcomeCount(7, "won", 1)], taken.ToCounts().OrderBy(c => c.Outcome));
        taken.Release();
        await soldOut.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task RecordAsync_ManyThreadsWhileGenerationsAreTaken_EveryCountInExactlyOneReleasedGeneration()
    {
        using var recorder = new OutcomeRecorder();
        const int Threads = 4, PerThread = 50_000, TakeEvery = 997;
        var taken = new System.Collections.Concurrent.ConcurrentBag<OutcomeGeneration>();
        // Every thread also takes generations now and then (as the publisher does from its own thread),
        // so takes interleave with other threads' records however the scheduler runs them.
        var waits = await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            var distinct = new HashSet<Task>();
            for (var i = 0; i < PerThread; i++)
            {
                distinct.Add(recorder.RecordAsync(1 + (i % 3), (GrabOutcome)(i % GrabOutcomes.All.Count)));
                if (i % TakeEvery == t && recorder.TakeOpen() is { } generation)
                {
                    taken.Add(generation);
                    generation.Release();
                }
            }
            return distinct;
        })));
        if (recorder.TakeOpen() is { } last)
        {
            taken.Add(last);
            last.Release();
        }

        Assert.Equal(Threads * PerThread, taken.SelectMany(g => g.ToCounts()).Sum(c => c.Count));
        Assert.True(taken.Count > Threads, $"{taken.Count} generations");
        // Every task an answer waited on belongs to a generation that was released.
        await Task.WhenAll(waits.SelectMany(w => w)).WaitAsync(TimeSpan.FromSeconds(5));
    }
}
