namespace ElasticRedPacket.LoadTests.Report;

/// <summary>
/// A warning under the report's machine line when the machine, not the build, may have set the latency: seconds in which
/// the hypervisor stole CPU, or in which every core was busy (the stack and the harness share them here). On
/// this project's 2-core VM the same build measured p99 20 ms in one hour and 560 ms in another
/// (docs/performance.md, sessions 10 and 11); a figure quoted without this line hides which hour it was.
/// </summary>
public static class MachineCaution
{
    /// <summary>Cores stolen in one second from which it counts: 5% of a 2-core machine.</summary>
    public const double StolenCoresThreshold = 0.10;

    /// <summary>The share of all cores busy in one second from which the machine counts as saturated.</summary>
    public const double SaturatedShare = 0.95;

    /// <summary>The caution for a run on a machine of <paramref name="cores"/> cores, or null when no second calls for one.</summary>
    public static string? Describe(IReadOnlyList<SecondReport> timeline, int cores)
    {
        var measured = timeline.Count(s => s.BusyCores is not null);
        if (measured == 0 || cores <= 0)
        {
            return null;
        }
        var saturatedFrom = Math.Round(SaturatedShare * cores, 2);
        var stolen = timeline.Where(s => s.StolenCores >= StolenCoresThreshold).ToList();
        var saturated = timeline.Count(s => s.BusyCores >= saturatedFrom);
        if (stolen.Count == 0 && saturated == 0)
        {
            return null;
        }
        var inv = CultureInfo.InvariantCulture;
        var parts = new List<string>();
        if (stolen.Count > 0)
        {
            parts.Add(string.Create(inv,
                $"the hypervisor stole {StolenCoresThreshold:0.00} cores or more in {stolen.Count} of {measured} measured seconds (up to {stolen.Max(s => s.StolenCores!.Value):0.00})"));
        }
        if (saturated > 0)
        {
            parts.Add(string.Create(inv, $"{saturatedFrom:0.00} or more of the {cores} cores were busy in {saturated} of {measured} seconds"));
        }
        return "caution: " + string.Join("; ", parts)
            + ": those seconds' latency measures the machine as much as the build (see the per-second busy and stolen cores)";
    }
}
