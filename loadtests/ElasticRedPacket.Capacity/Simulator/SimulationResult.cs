namespace ElasticRedPacket.Capacity.Simulator;

/// <summary>
/// One simulated second of one service: load, replicas (existing pods, ready pods, the spec count the
/// autoscaler set), what was served and shed, utilisation (offered / ready capacity), the CPU the
/// HPA's metric sees (percent of the request per ready pod), the predicted p99 and the queue metric.
/// </summary>
public sealed record SecondRow(int Second, double Offered, int Pods, int Ready, int Desired, double Served, double Shed, double Backlog,
    double Utilisation, double CpuPercent, double P99Ms, double QueueMetric, string? Event);

/// <summary>A change of the spec replica count by the autoscaler at a second.</summary>
public sealed record ScaleEvent(int Second, int From, int To, string Reason);

public sealed record SimulationResult(string Service, int SyncOffset, IReadOnlyList<SecondRow> Rows, IReadOnlyList<ScaleEvent> Events, double SloP99Ms)
{
    public double MaxP99Ms => Rows.Max(r => r.P99Ms);

    public double TotalShed => Rows.Sum(r => r.Shed);

    public double TotalOffered => Rows.Sum(r => r.Offered);

    public double TotalServed => Rows.Sum(r => r.Served);

    public int SecondsOverSlo => Rows.Count(r => r.P99Ms > SloP99Ms || r.Shed > 0);

    /// <summary>p99 within the SLO and nothing shed, every second.</summary>
    public bool MeetsSlo => SecondsOverSlo == 0;

    /// <summary>Worse = more seconds over the SLO, then more shed, then a higher peak p99.</summary>
    public static SimulationResult Worst(IEnumerable<SimulationResult> results) =>
        results.OrderByDescending(r => r.SecondsOverSlo).ThenByDescending(r => r.TotalShed).ThenByDescending(r => r.MaxP99Ms).First();
}
