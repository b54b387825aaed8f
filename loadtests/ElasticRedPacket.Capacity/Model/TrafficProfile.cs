using ElasticRedPacket.LoadTests.Cli;
using ElasticRedPacket.LoadTests.Load;
using ElasticRedPacket.LoadTests.Scenarios;

namespace ElasticRedPacket.Capacity.Model;

/// <summary>Requests per second for each second of the simulation, and the second the spike starts.</summary>
public sealed record TrafficProfile(string Description, IReadOnlyList<double> Rates, int SpikeStart)
{
    public double Peak => Rates.Max();

    /// <summary>The load harness's holiday-spike shape (its own phases): base for baseDuration, a one-second ramp, peak for duration.</summary>
    public static TrafficProfile HolidaySpike(double peak, double? baseRate, TimeSpan baseDuration, TimeSpan duration)
    {
        var options = new RunOptions { Rate = peak, BaseRate = baseRate, BaseDuration = baseDuration, Duration = duration, Warmup = TimeSpan.Zero };
        var phases = new HolidaySpikeScenario().Phases(options);
        return FromPhases(phases, $"holiday-spike: {string.Join("; ", phases.Select(p => p.Describe()))}", (int)baseDuration.TotalSeconds);
    }

    /// <summary>A step/ramp spec in the harness's --phases syntax: inject:RATE:DUR, ramp:FROM:TO:DUR, pause:DUR.</summary>
    public static TrafficProfile FromSpec(string spec) => FromPhases(PhaseSpec.Parse(spec), spec, null);

    /// <summary>A CSV of second,rate (a header line is allowed); a second not listed keeps the rate before it.</summary>
    public static TrafficProfile FromCsv(string path)
    {
        var points = new SortedDictionary<int, double>();
        foreach (var line in File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var parts = line.Split(',');
            if (parts.Length >= 2 && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var second)
                && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && second >= 0 && rate >= 0)
            {
                points[second] = rate;
            }
            else if (points.Count > 0)
            {
                throw new UsageException($"{path}: '{line}' is not second,rate");
            }
        }
        if (points.Count == 0)
        {
            throw new UsageException($"{path}: no second,rate lines");
        }
        var rates = new double[points.Keys.Max() + 1];
        var current = 0.0;
        for (var s = 0; s < rates.Length; s++)
        {
            rates[s] = current = points.GetValueOrDefault(s, current);
        }
        return new($"csv {Path.GetFileName(path)}", rates, DetectSpike(rates));
    }

    /// <summary>Per-second averages of the phases' rate (a ramp is integrated exactly); warm-up phases are left out.</summary>
    public static TrafficProfile FromPhases(IReadOnlyList<Simulation> phases, string description, int? spikeStart)
    {
        var segments = new List<(double Start, double End, double From, double To)>();
        var t = 0.0;
        foreach (var phase in phases.Where(p => !p.IsWarmUp))
        {
            var end = t + phase.During.TotalSeconds;
            segments.Add(phase switch
            {
                Inject inject => (t, end, inject.Rate, inject.Rate),
                RampingInject ramp => (t, end, ramp.From, ramp.To),
                Pause => (t, end, 0, 0),
                _ => throw new UsageException($"'{phase.Describe()}': a closed-model phase has no rate to simulate"),
            });
            t = end;
        }
        var rates = new double[(int)Math.Ceiling(t)];
        for (var s = 0; s < rates.Length; s++)
        {
            rates[s] = segments.Sum(g => Integral(g, s, s + 1));
        }
        return new(description, rates, spikeStart ?? DetectSpike(rates));
    }

    /// <summary>The first second whose rate is at least 1.5 times the first second's (any rate, if it starts at 0).</summary>
    public static int DetectSpike(IReadOnlyList<double> rates)
    {
        for (var s = 1; s < rates.Count; s++)
        {
            if (rates[s] > 0 && rates[s] >= 1.5 * rates[0])
            {
                return s;
            }
        }
        return 0;
    }

    private static double Integral((double Start, double End, double From, double To) g, double a, double b)
    {
        var lo = Math.Max(a, g.Start);
        var hi = Math.Min(b, g.End);
        if (hi <= lo)
        {
            return 0;
        }
        double Rate(double x) => g.From + ((g.To - g.From) * (x - g.Start) / (g.End - g.Start));
        return (Rate(lo) + Rate(hi)) / 2 * (hi - lo);
    }
}
