namespace ElasticRedPacket.LoadTests.Client;

/// <summary>
/// Request timeouts without a timer per request: every request started in the same second shares
/// one CancellationTokenSource, cancelled (by a sweep every 200 ms) once the timeout has passed for
/// the whole second. A request therefore times out after between <c>timeout</c> and <c>timeout + 1.2 s</c>. (HttpClient's
/// own Timeout costs a linked source and a timer registration per request.)
/// </summary>
public sealed class RequestTimeouts : IDisposable
{
    private readonly TimeSpan _timeout;
    private readonly Lock _gate = new();
    private readonly Queue<(long Second, CancellationTokenSource Source)> _buckets = new();
    private readonly Timer _sweeper;
    private long _currentSecond = -1;
    private CancellationTokenSource _current = new();

    public RequestTimeouts(TimeSpan timeout)
    {
        _timeout = timeout;
        _sweeper = new Timer(static state => ((RequestTimeouts)state!).Sweep(), this, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200));
    }

    /// <summary>The token for a request starting now.</summary>
    public CancellationToken Token
    {
        get
        {
            var second = Environment.TickCount64 / 1000;
            if (second == Volatile.Read(ref _currentSecond))
            {
                return Volatile.Read(ref _current).Token;
            }
            lock (_gate)
            {
                if (second != _currentSecond)
                {
                    var source = new CancellationTokenSource();
                    _buckets.Enqueue((second, source));
                    Volatile.Write(ref _current, source);
                    Volatile.Write(ref _currentSecond, second);
                }
                return _current.Token;
            }
        }
    }

    private void Sweep()
    {
        var expiredBefore = (Environment.TickCount64 - (long)_timeout.TotalMilliseconds) / 1000;
        lock (_gate)
        {
            while (_buckets.Count > 0 && _buckets.Peek().Second < expiredBefore)
            {
                // Cancelled, not disposed: a request may still be registering on its token (no timer inside, nothing leaks).
                _buckets.Dequeue().Source.Cancel();
            }
        }
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        lock (_gate)
        {
            while (_buckets.Count > 0)
            {
                _buckets.Dequeue().Source.Dispose();
            }
        }
        _current.Dispose();
    }
}
