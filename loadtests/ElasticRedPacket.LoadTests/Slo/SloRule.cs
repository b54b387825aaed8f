namespace ElasticRedPacket.LoadTests.Slo;

/// <summary>
/// One threshold, e.g. <c>p99&lt;50ms</c>, <c>p99[won]&lt;=20ms</c>, <c>error_rate&lt;0.1%</c>,
/// <c>rps&gt;=9500</c>, <c>dropped&lt;=0</c>, <c>status_5xx&lt;1</c>, <c>rss_mb&lt;300</c> (peak of the largest service process). Latencies are compared in
/// milliseconds, rates as fractions (0.1% = 0.001).
/// </summary>
public sealed record SloRule(string Expression, string Metric, string? Outcome, SloOperator Operator, double Threshold)
{
    public bool Holds(double actual) => Operator switch
    {
        SloOperator.Less => actual < Threshold,
        SloOperator.LessOrEqual => actual <= Threshold,
        SloOperator.Greater => actual > Threshold,
        SloOperator.GreaterOrEqual => actual >= Threshold,
        _ => false,
    };
}

public enum SloOperator
{
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>The verdict on one rule: the measured value and whether the rule holds.</summary>
public sealed record SloResult(string Expression, double Actual, string Unit, bool Passed);
