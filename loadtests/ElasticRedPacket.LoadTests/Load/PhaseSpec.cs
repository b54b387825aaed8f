using ElasticRedPacket.LoadTests.Cli;

namespace ElasticRedPacket.LoadTests.Load;

/// <summary>
/// Phases written on the command line (--phases), comma-separated, run in order:
/// <c>inject:RATE:DURATION</c>, <c>ramp:FROM:TO:DURATION</c>, <c>users:N:DURATION</c>,
/// <c>pause:DURATION</c>; a <c>warmup:</c> prefix runs a phase unmeasured.
/// Example: <c>warmup:inject:1000:3s,inject:2000:10s,ramp:2000:10000:1s,inject:10000:20s</c>.
/// </summary>
public static class PhaseSpec
{
    public static IReadOnlyList<Simulation> Parse(string spec)
    {
        var phases = new List<Simulation>();
        foreach (var raw in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var warmUp = raw.StartsWith("warmup:", StringComparison.OrdinalIgnoreCase);
            var parts = (warmUp ? raw["warmup:".Length..] : raw).Split(':');
            Simulation phase = (parts[0].ToLowerInvariant(), parts.Length) switch
            {
                ("inject", 3) => new Inject(Rate(parts[1], raw), Duration(parts[2], raw)),
                ("ramp", 4) => new RampingInject(Rate(parts[1], raw), Rate(parts[2], raw), Duration(parts[3], raw)),
                ("users", 3) => new KeepConstant((int)Rate(parts[1], raw), Duration(parts[2], raw)),
                ("pause", 2) => new Pause(Duration(parts[1], raw)),
                _ => throw new UsageException($"--phases: '{raw}' is not inject:RATE:DUR, ramp:FROM:TO:DUR, users:N:DUR or pause:DUR"),
            };
            phases.Add(phase with { IsWarmUp = warmUp });
        }
        if (!phases.Any(p => !p.IsWarmUp))
        {
            throw new UsageException("--phases: at least one phase must be measured (not warmup:)");
        }
        return phases;
    }

    /// <summary>The default shape: a warm-up at the same load, then the measured load (a rate, or N virtual users).</summary>
    public static IReadOnlyList<Simulation> Steady(double rate, int? users, TimeSpan warmup, TimeSpan duration)
    {
        Simulation Load(TimeSpan during) => users is { } n ? new KeepConstant(n, during) : new Inject(rate, during);
        return warmup > TimeSpan.Zero ? [Load(warmup) with { IsWarmUp = true }, Load(duration)] : [Load(duration)];
    }

    private static double Rate(string text, string raw) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value)
            ? value
            : throw new UsageException($"--phases '{raw}': '{text}' is not a positive number");

    private static TimeSpan Duration(string text, string raw)
    {
        var value = Durations.Parse(text, $"--phases '{raw}'");
        return value > TimeSpan.Zero ? value : throw new UsageException($"--phases '{raw}': the duration must be longer than 0");
    }

    /// <summary>Seconds of measured load (warm-up excluded).</summary>
    public static TimeSpan Measured(IEnumerable<Simulation> phases) =>
        phases.Where(p => !p.IsWarmUp).Aggregate(TimeSpan.Zero, (sum, p) => sum + p.During);
}
