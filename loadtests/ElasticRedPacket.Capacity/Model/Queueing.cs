namespace ElasticRedPacket.Capacity.Model;

/// <summary>
/// The M/M/c queue (Poisson arrivals at rate lambda, c servers each completing mu per second):
/// Erlang C (probability of waiting) and the waiting-time tail P(W &gt; t) = C * exp(-(c mu - lambda) t).
/// </summary>
public static class Queueing
{
    /// <summary>Erlang C for c servers and offered load a = lambda / mu (a &lt; c); 1 when a &gt;= c.</summary>
    public static double ErlangC(int servers, double offeredLoad)
    {
        if (servers <= 0 || offeredLoad >= servers)
        {
            return 1;
        }
        if (offeredLoad <= 0)
        {
            return 0;
        }
        // Erlang B by the stable recursion B(k) = a B(k-1) / (k + a B(k-1)), then C from B.
        var b = 1.0;
        for (var k = 1; k <= servers; k++)
        {
            b = offeredLoad * b / (k + (offeredLoad * b));
        }
        return servers * b / (servers - (offeredLoad * (1 - b)));
    }

    /// <summary>Mean wait in the queue (before service): C / (c mu - lambda).</summary>
    public static double MeanWait(int servers, double lambda, double mu) =>
        lambda >= servers * mu ? double.PositiveInfinity : ErlangC(servers, lambda / mu) / ((servers * mu) - lambda);

    /// <summary>The q-quantile of the wait in the queue: 0 when the chance of waiting at all is below 1 - q.</summary>
    public static double WaitQuantile(int servers, double lambda, double mu, double quantile)
    {
        if (lambda >= servers * mu)
        {
            return double.PositiveInfinity;
        }
        var c = ErlangC(servers, lambda / mu);
        var tail = 1 - quantile;
        return c <= tail ? 0 : Math.Log(c / tail) / ((servers * mu) - lambda);
    }

    /// <summary>M/M/1 response time (wait + service) quantile: exponential with rate mu - lambda.</summary>
    public static double Mm1ResponseQuantile(double lambda, double mu, double quantile) =>
        lambda >= mu ? double.PositiveInfinity : -Math.Log(1 - quantile) / (mu - lambda);
}
