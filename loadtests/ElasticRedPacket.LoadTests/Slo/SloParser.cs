using System.Text.Json;
using System.Text.RegularExpressions;
using ElasticRedPacket.LoadTests.Cli;

namespace ElasticRedPacket.LoadTests.Slo;

/// <summary>Parses SLO expressions from the command line (--slo) or a JSON file (--slo-file: ["p99&lt;50ms", ...] or {"slo": [...]}).</summary>
public static partial class SloParser
{
    public static readonly IReadOnlyList<string> LatencyMetrics = ["p50", "p75", "p90", "p95", "p99", "p99.9", "max", "mean"];
    public static readonly IReadOnlyList<string> OtherMetrics = ["error_rate", "rps", "dropped", "dropped_rate", "status_5xx", "requests", "rss_mb"];

    public static SloRule Parse(string expression)
    {
        var match = RulePattern().Match(expression);
        if (!match.Success)
        {
            throw new UsageException($"--slo '{expression}': expected <metric>[<outcome>]<op><value>, e.g. p99<50ms or error_rate<0.1%");
        }
        var metric = match.Groups["metric"].Value.ToLowerInvariant();
        var outcome = match.Groups["outcome"].Success ? match.Groups["outcome"].Value : null;
        var op = match.Groups["op"].Value switch
        {
            "<" => SloOperator.Less,
            "<=" => SloOperator.LessOrEqual,
            ">" => SloOperator.Greater,
            _ => SloOperator.GreaterOrEqual,
        };
        var value = match.Groups["value"].Value.Trim();
        double threshold;
        if (LatencyMetrics.Contains(metric))
        {
            threshold = Durations.TryParse(value, out var duration) && value.Any(char.IsLetter)
                ? duration.TotalMilliseconds
                : throw new UsageException($"--slo '{expression}': a latency needs a unit (us, ms, s)");
        }
        else if (OtherMetrics.Contains(metric))
        {
            threshold = ParseNumber(value, expression);
        }
        else
        {
            throw new UsageException($"--slo '{expression}': unknown metric '{metric}' (known: {string.Join(", ", LatencyMetrics.Concat(OtherMetrics))})");
        }
        if (outcome is not null && !LatencyMetrics.Contains(metric) && metric != "requests")
        {
            throw new UsageException($"--slo '{expression}': [outcome] applies to latencies and requests only");
        }
        return new SloRule(expression.Trim(), metric, outcome, op, threshold);
    }

    public static IReadOnlyList<SloRule> ParseFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"--slo-file: {path} not found");
        }
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var list = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("slo", out var slo)
                ? slo
                : document.RootElement;
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new UsageException($"--slo-file {path}: expected a JSON array of expressions or {{\"slo\": [...]}}");
            }
            return [.. list.EnumerateArray().Select(e => Parse(e.GetString() ?? ""))];
        }
        catch (JsonException ex)
        {
            throw new UsageException($"--slo-file {path}: not valid JSON ({ex.Message})");
        }
    }

    private static double ParseNumber(string value, string expression)
    {
        var percent = value.EndsWith('%');
        var digits = percent ? value[..^1] : value;
        if (!double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            throw new UsageException($"--slo '{expression}': '{value}' is not a number");
        }
        return percent ? number / 100 : number;
    }

    [GeneratedRegex(@"^\s*(?<metric>[a-zA-Z_0-9.]+?)(\[(?<outcome>[a-z_]+)\])?\s*(?<op><=|>=|<|>)\s*(?<value>[0-9.]+\s*[a-z%]*)\s*$")]
    private static partial Regex RulePattern();
}
