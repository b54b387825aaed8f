namespace ElasticRedPacket.LoadTests.Metrics;

/// <summary>
/// The whole machine's CPU from /proc/stat's "cpu" line, so a report says whether the cores were
/// saturated while it ran: the harness and the stack share them here, and an open-model run at a
/// machine's capacity queues (its latency then measures the machine, not the build).
/// </summary>
public readonly record struct CpuTicks(long Busy, long Idle, long Stolen)
{
    public long Total => Busy + Idle + Stolen;

    /// <summary>
    /// "cpu user nice system idle iowait irq softirq steal ...": busy = user + nice + system + irq + softirq,
    /// idle = idle + iowait, stolen = steal (time the hypervisor gave to other guests). Null if not such a line.
    /// </summary>
    public static CpuTicks? Parse(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 9 || fields[0] != "cpu")
        {
            return null;
        }
        var v = new long[8];
        for (var i = 0; i < v.Length; i++)
        {
            if (!long.TryParse(fields[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out v[i]))
            {
                return null;
            }
        }
        return new CpuTicks(v[0] + v[1] + v[2] + v[5] + v[6], v[3] + v[4], v[7]);
    }

    /// <summary>This machine's ticks now, or null where there is no /proc/stat.</summary>
    public static CpuTicks? Read()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            return reader.ReadLine() is { } line ? Parse(line) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>
/// The machine during the load, in cores (so 2.0 = both of two cores): busy on average, busy in
/// the busiest sampled second, and stolen by the hypervisor on average.
/// </summary>
public sealed record MachineReport(int Cores, double BusyCores, double BusiestSecondCores, double StolenCores)
{
    /// <summary>The summary of consecutive samples (at least two) of one machine with <paramref name="cores"/> cores.</summary>
    public static MachineReport? From(IReadOnlyList<CpuTicks> samples, int cores)
    {
        if (samples.Count < 2 || samples[^1].Total <= samples[0].Total)
        {
            return null;
        }
        double Cores(long part, long total) => total <= 0 ? 0 : Math.Round((double)cores * part / total, 2);
        var first = samples[0];
        var last = samples[^1];
        var busiest = 0.0;
        for (var i = 1; i < samples.Count; i++)
        {
            busiest = Math.Max(busiest, Cores(samples[i].Busy - samples[i - 1].Busy, samples[i].Total - samples[i - 1].Total));
        }
        var total = last.Total - first.Total;
        return new MachineReport(cores, Cores(last.Busy - first.Busy, total), busiest, Cores(last.Stolen - first.Stolen, total));
    }

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"machine ({Cores} cores, every process): {BusyCores:0.00} busy on average, {BusiestSecondCores:0.00} in the busiest second, {StolenCores:0.00} stolen by the hypervisor");
}

/// <summary>One second of the measured run as the machine saw it, in cores: busy, and stolen by the hypervisor.</summary>
public readonly record struct MachineSecond(double BusyCores, double StolenCores)
{
    /// <summary>
    /// Per measured second, from samples taken about once a second (Stopwatch timestamp, ticks): each interval
    /// between two samples goes to the second its midpoint falls in, counted from <paramref name="measureStart"/>
    /// (intervals before it, the warm-up, are left out).
    /// </summary>
    public static IReadOnlyDictionary<int, MachineSecond> From(IReadOnlyList<(long Timestamp, CpuTicks Ticks)> samples, long measureStart, int cores)
    {
        var seconds = new Dictionary<int, MachineSecond>();
        for (var i = 1; i < samples.Count; i++)
        {
            var (from, before) = samples[i - 1];
            var (to, after) = samples[i];
            var total = after.Total - before.Total;
            var middle = from + ((to - from) / 2);
            if (total <= 0 || middle < measureStart)
            {
                continue;
            }
            var second = (int)((middle - measureStart) / Stopwatch.Frequency);
            seconds[second] = new MachineSecond(
                Math.Round((double)cores * (after.Busy - before.Busy) / total, 2), Math.Round((double)cores * (after.Stolen - before.Stolen) / total, 2));
        }
        return seconds;
    }
}
