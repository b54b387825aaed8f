using ElasticRedPacket.Capacity.Simulator;

namespace ElasticRedPacket.Capacity.Manifests;

/// <summary>
/// The cron trigger's window against the spike. Only daily "M H ..." start/end expressions are placed
/// (minute and hour as plain numbers); the day fields are kept as they are when a new start is written.
/// </summary>
public static class CronSchedule
{
    /// <summary>The window on the simulation clock when the spike (second spikeStart) happens at spikeAt; null if the expressions are not plain "M H".</summary>
    public static CronWindow? Place(CronMetric cron, TimeOnly spikeAt, int spikeStart)
    {
        if (MinuteOfDay(cron.Start) is not { } start || MinuteOfDay(cron.End) is not { } end)
        {
            return null;
        }
        var spike = (spikeAt.Hour * 60) + spikeAt.Minute;
        var opensBefore = Mod(spike - start, 1440); // minutes from the window's start to the spike
        var closesAfter = Mod(end - spike, 1440);
        if (opensBefore + closesAfter >= 1440 || (opensBefore > 0 && closesAfter == 0))
        {
            return new CronWindow(int.MaxValue / 2, int.MaxValue / 2); // the spike falls outside the window
        }
        return new CronWindow(spikeStart - (opensBefore * 60), spikeStart + (closesAfter * 60));
    }

    /// <summary>A start expression leadSeconds (rounded up to whole minutes: cron's resolution) before spikeAt.</summary>
    public static string StartBefore(string currentStart, TimeOnly spikeAt, int leadSeconds)
    {
        var minutes = (int)Math.Ceiling(leadSeconds / 60.0);
        var at = spikeAt.AddMinutes(-minutes);
        var fields = currentStart.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var days = fields.Length == 5 ? string.Join(' ', fields[2..]) : "* * *";
        return string.Create(CultureInfo.InvariantCulture, $"{at.Minute} {at.Hour} {days}");
    }

    public static int? MinuteOfDay(string expression)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length == 5 && int.TryParse(fields[0], CultureInfo.InvariantCulture, out var m) && int.TryParse(fields[1], CultureInfo.InvariantCulture, out var h)
            && m is >= 0 and < 60 && h is >= 0 and < 24
            ? (h * 60) + m
            : null;
    }

    private static int Mod(int value, int period) => ((value % period) + period) % period;
}
