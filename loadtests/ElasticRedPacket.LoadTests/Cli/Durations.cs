namespace ElasticRedPacket.LoadTests.Cli;

/// <summary>Durations as written on the command line: 100us, 50ms, 1.5s, 2m, 1h (a bare number is seconds).</summary>
public static class Durations
{
    private static readonly (string Suffix, double Ticks)[] Units =
    [
        ("us", TimeSpan.TicksPerMillisecond / 1000.0), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    public static bool TryParse(string text, out TimeSpan value)
    {
        text = text.Trim();
        foreach (var (suffix, ticks) in Units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && TryNumber(text[..^suffix.Length], out var number))
            {
                value = TimeSpan.FromTicks((long)Math.Round(number * ticks));
                return true;
            }
        }
        var ok = TryNumber(text, out var seconds);
        value = ok ? TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond)) : default;
        return ok;
    }

    public static TimeSpan Parse(string text, string what) => TryParse(text, out var value) && value >= TimeSpan.Zero
        ? value
        : throw new UsageException($"{what}: '{text}' is not a duration (examples: 500ms, 10s, 2m)");

    private static bool TryNumber(string text, out double number) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number) && number >= 0;
}

/// <summary>A mistake on the command line: reported with the usage hint, exit code 3.</summary>
public sealed class UsageException(string message) : Exception(message);
