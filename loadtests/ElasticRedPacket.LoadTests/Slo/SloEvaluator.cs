using ElasticRedPacket.LoadTests.Metrics;

namespace ElasticRedPacket.LoadTests.Slo;

/// <summary>Measures each rule's metric on the finished run (warm-up excluded) and gives the verdict.</summary>
public static class SloEvaluator
{
    public static IReadOnlyList<SloResult> Evaluate(IEnumerable<SloRule> rules, RunStats stats, TimeSpan measured, IReadOnlyList<ProcessReport>? processes = null)
    {
        var merged = stats.MergedLatency();
        return [.. rules.Select(rule =>
        {
            var (actual, unit) = Measure(rule, stats, merged, measured, processes ?? []);
            return new SloResult(rule.Expression, Math.Round(actual, 6), unit, rule.Holds(actual));
        })];
    }

    private static (double Value, string Unit) Measure(SloRule rule, RunStats stats, LatencyHistogram merged, TimeSpan measured, IReadOnlyList<ProcessReport> processes)
    {
        var histogram = merged;
        long requests = stats.Completed;
        if (rule.Outcome is { } outcome)
        {
            var index = stats.Outcomes.IndexOf(outcome);
            if (index < 0)
            {
                throw new Cli.UsageException($"--slo '{rule.Expression}': this scenario has no outcome '{outcome}' (it has {string.Join(", ", stats.Outcomes.Names)})");
            }
            histogram = stats.OutcomeLatency(index);
            requests = stats.OutcomeCount(index);
        }
        return PerRequest(rule.Metric, histogram, stats.Completed, stats.Errors, stats.Dropped, measured) ?? rule.Metric switch
        {
            "status_5xx" => (stats.StatusCounts().Where(kv => kv.Key >= 500).Sum(kv => kv.Value), "responses"),
            "requests" => (requests, "requests"),
            "rss_mb" => (processes.Where(p => p.Kind == "service").Select(p => p.PeakRssMb).DefaultIfEmpty(0).Max(), "MB (largest service process)"),
            _ => throw new Cli.UsageException($"unknown metric {rule.Metric}"),
        };
    }

    /// <summary>
    /// Judges one phase on the rules that its own requests measure: latency over all outcomes, error and dropped
    /// rates and counts, rps. Rules for one outcome, status codes or RSS are whole-run rules and are left out.
    /// </summary>
    public static IReadOnlyList<SloResult> EvaluatePhase(IEnumerable<SloRule> rules, LatencyHistogram latency, long errors, long dropped, TimeSpan during)
    {
        var results = new List<SloResult>();
        foreach (var rule in rules.Where(r => r.Outcome is null))
        {
            if (PerRequest(rule.Metric, latency, latency.TotalCount, errors, dropped, during) is var (actual, unit))
            {
                results.Add(new SloResult(rule.Expression, Math.Round(actual, 6), unit, rule.Holds(actual)));
            }
        }
        return results;
    }

    /// <summary>The metrics measured from a set of requests alone (null for any other metric).</summary>
    private static (double Value, string Unit)? PerRequest(string metric, LatencyHistogram histogram, long completed, long errors, long dropped, TimeSpan during)
    {
        var attempted = completed + dropped;
        return metric switch
        {
            "p50" => (Ms(histogram.ValueAtQuantile(0.50)), "ms"),
            "p75" => (Ms(histogram.ValueAtQuantile(0.75)), "ms"),
            "p90" => (Ms(histogram.ValueAtQuantile(0.90)), "ms"),
            "p95" => (Ms(histogram.ValueAtQuantile(0.95)), "ms"),
            "p99" => (Ms(histogram.ValueAtQuantile(0.99)), "ms"),
            "p99.9" => (Ms(histogram.ValueAtQuantile(0.999)), "ms"),
            "max" => (Ms(histogram.Max), "ms"),
            "mean" => (Ms(histogram.Mean), "ms"),
            "error_rate" => (attempted == 0 ? 0 : (double)(errors + dropped) / attempted, "fraction"),
            "dropped_rate" => (attempted == 0 ? 0 : (double)dropped / attempted, "fraction"),
            "dropped" => (dropped, "requests"),
            "rps" => (during.TotalSeconds <= 0 ? 0 : completed / during.TotalSeconds, "req/s"),
            _ => null,
        };
    }

    private static double Ms(TimeSpan value) => value.TotalMilliseconds;
}
