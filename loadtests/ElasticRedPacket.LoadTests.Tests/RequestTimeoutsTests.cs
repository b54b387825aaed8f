using ElasticRedPacket.LoadTests.Client;

namespace ElasticRedPacket.LoadTests.Tests;

public sealed class RequestTimeoutsTests
{
    [Fact]
    public async Task Token_AfterTimeout_IsCancelledNotBefore()
    {
        using var timeouts = new RequestTimeouts(TimeSpan.FromMilliseconds(300));
        var token = timeouts.Token;
        var started = Stopwatch.GetTimestamp();
        var cancelled = new TaskCompletionSource();
        token.Register(() => cancelled.TrySetResult());

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(3));

        // Never before the timeout; at most the rest of the start second plus a 200 ms sweep later (and a loaded machine's delay).
        Assert.InRange(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 290, 3000);
        Assert.False(timeouts.Token.IsCancellationRequested);
    }

    [Fact]
    public void Token_SameSecond_SharesOneSource()
    {
        using var timeouts = new RequestTimeouts(TimeSpan.FromSeconds(10));
        var tokens = Enumerable.Range(0, 100).Select(_ => timeouts.Token).Distinct().Count();
        Assert.InRange(tokens, 1, 2);   // 2 only if the loop crossed a second boundary
    }
}
