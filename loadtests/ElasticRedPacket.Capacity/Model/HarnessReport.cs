using System.Text.Json;
using ElasticRedPacket.LoadTests.Cli;

namespace ElasticRedPacket.Capacity.Model;

/// <summary>
/// Per-replica figures of one service from a load-harness report.json (loadtests' RunReport): the
/// service's replicas are its processes in the report ("redpacket-0", "redpacket-1", ...).
/// Capacity = measured throughput / replicas (a saturating run gives the capacity; a lighter run only
/// a lower bound); CPU per request = the replicas' CPU (cores, over the load) / throughput; base p99 =
/// the median over the run's seconds of each second's p99 (the typical second's tail, robust to a
/// one-off stall; take it from a run below saturation). P99Ms is the whole run's p99.
/// </summary>
public sealed record HarnessFigures(string Service, int Replicas, double ThroughputPerReplica, double CpuSecondsPerRequest, double P99Ms, double MedianSecondP99Ms)
{
    public static HarnessFigures Read(string path, string service)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"--report {path}: no such file");
        }
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var throughput = root.GetProperty("totals").GetProperty("throughput").GetDouble();
        var replicas = root.GetProperty("processes").EnumerateArray()
            .Where(p => p.GetProperty("kind").GetString() == "service" && IsReplicaOf(p.GetProperty("name").GetString(), service))
            .Select(p => p.GetProperty("cpuPercent").GetDouble())
            .ToList();
        if (replicas.Count == 0)
        {
            throw new UsageException($"--report {path}: no process of service '{service}' in the report (was it run against a local stack?)");
        }
        var cores = replicas.Sum() / 100;
        return new(service, replicas.Count, throughput / replicas.Count, throughput > 0 ? cores / throughput : 0,
            root.GetProperty("latency").GetProperty("p99").GetDouble(),
            Median([.. root.GetProperty("timeline").EnumerateArray().Where(s => s.GetProperty("completed").GetInt64() > 0).Select(s => s.GetProperty("p99").GetDouble())]));
    }

    public static double Median(double[] values)
    {
        Array.Sort(values);
        return values.Length == 0 ? 0 : values.Length % 2 == 1 ? values[values.Length / 2] : (values[(values.Length / 2) - 1] + values[values.Length / 2]) / 2;
    }

    private static bool IsReplicaOf(string? name, string service) =>
        name is not null && name.StartsWith(service + "-", StringComparison.Ordinal) && int.TryParse(name[(service.Length + 1)..], out _);
}
