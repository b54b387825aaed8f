namespace ElasticRedPacket.Capacity.Simulator;

/// <summary>The cron trigger's window on the simulation clock (seconds; From may be negative: open before the profile starts).</summary>
public sealed record CronWindow(int From, int To)
{
    public static CronWindow Always { get; } = new(int.MinValue / 2, int.MaxValue / 2);

    public bool Contains(int second) => second >= From && second < To;
}

/// <summary>Packets released into the campaign's queue at a second (for a packets queue-length trigger).</summary>
public sealed record Release(int Second, long Packets);

/// <summary>
/// The clocks and defaults of the control loop (kube-controller-manager and metrics-server flags,
/// RabbitMQ's statistics interval) and the scenario around the profile.
/// </summary>
/// <param name="SyncOffset">the second (0..SyncPeriod-1) of each period at which the HPA syncs: the spike's phase against the loop.</param>
/// <param name="PreludeSeconds">simulated before second 0 at the first second's rate, so the autoscaler starts settled.</param>
public sealed record SimulationSettings(
    double SloP99Ms,
    CronWindow? Cron = null,
    IReadOnlyList<Release>? Releases = null,
    int SyncPeriodSeconds = 15,
    int SyncOffset = 0,
    int MetricWindowSeconds = 15,
    int RabbitStatsIntervalSeconds = 5,
    double Tolerance = 0.1,
    int PreludeSeconds = 360)
{
    public CronWindow CronOrAlways => Cron ?? CronWindow.Always;
}
