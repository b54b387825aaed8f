using ElasticRedPacket.Capacity.Model;
using ElasticRedPacket.Capacity.Simulator;
using ElasticRedPacket.LoadTests.Cli;

namespace ElasticRedPacket.Capacity.Cli;

/// <summary>The command line of erp-capacity (see <see cref="Usage"/>).</summary>
public sealed class CapacityOptions
{
    public string Overlay { get; set; } = "prod";

    public string? ManifestsFile { get; set; }

    public string Profile { get; set; } = "holiday-spike";

    public double Peak { get; set; } = 10_000;

    public double? BaseRate { get; set; }

    public TimeSpan BaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(240);

    /// <summary>Per service, the keys given with --service (they win over --report).</summary>
    public Dictionary<string, Dictionary<string, string>> Services { get; } = new(StringComparer.Ordinal);

    public List<(string Path, string Service)> Reports { get; } = [];

    public List<Release> Releases { get; } = [];

    public double SloP99Ms { get; set; } = 500;

    public TimeOnly? SpikeAt { get; set; }

    public int? SyncOffset { get; set; }

    public string? Out { get; set; }

    public bool Help { get; set; }

    public const string Usage = """
        erp-capacity: simulates the autoscalers of deploy/k8s against a traffic spike and recommends the floors
        and the cron pre-scale that keep p99 within the SLO (docs/capacity.md).

          --overlay NAME             render deploy/k8s/overlays/NAME with kubectl kustomize (default prod)
          --manifests FILE           read an already rendered YAML file instead
          --profile P                holiday-spike (default) | csv:FILE (second,rate) | harness phases, e.g.
                                     inject:2000:60s,ramp:2000:10000:1s,inject:10000:240s
          --peak N --base-rate N --base-duration D --duration D
                                     holiday-spike shape (10000, peak/5, 60s, 240s)
          --service NAME:k=v,...     capacity=REQ/S per replica, cpu=CPU TIME per request (0.4ms), start=D, ready=D,
                                     base-p99=D, ratio=requests per profile request (1), timeout=D|none (10s),
                                     queue=packets|backlog (what a queue-length trigger counts)
          --report FILE[:SERVICE]    capacity, cpu and base-p99 of SERVICE (default redpacket) from a load-harness
                                     report.json; --service keys win
          --release SECOND:PACKETS   packets released into the campaign queue (repeatable)
          --slo D                    p99 target (default 500ms)
          --spike-at HH:MM           wall-clock time of the spike in the cron trigger's time zone: places the
                                     manifest's cron window (default: the window is open throughout)
          --sync-offset N            tables and charts at this HPA sync phase (default: the worst phase)
          --out DIR                  where to write (default loadtests/reports/capacity-<UTC time>)
        """;

    public static CapacityOptions Parse(IReadOnlyList<string> args)
    {
        var o = new CapacityOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{name} needs a value");
            switch (name)
            {
                case "--help" or "-h": o.Help = true; break;
                case "--overlay": o.Overlay = Value(); break;
                case "--manifests": o.ManifestsFile = Value(); break;
                case "--profile": o.Profile = Value(); break;
                case "--peak": o.Peak = Positive(Value(), name); break;
                case "--base-rate": o.BaseRate = Positive(Value(), name); break;
                case "--base-duration": o.BaseDuration = Durations.Parse(Value(), name); break;
                case "--duration": o.Duration = Durations.Parse(Value(), name); break;
                case "--service": AddService(o, Value()); break;
                case "--report":
                    var report = Value();
                    var colon = report.LastIndexOf(':');
                    o.Reports.Add(colon > 0 && !report[(colon + 1)..].Contains('/') ? (report[..colon], report[(colon + 1)..]) : (report, "redpacket"));
                    break;
                case "--release":
                    var parts = Value().Split(':');
                    o.Releases.Add(parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var second) && second >= 0
                        && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var packets) && packets > 0
                        ? new Release(second, packets)
                        : throw new UsageException($"--release {string.Join(':', parts)}: SECOND:PACKETS"));
                    break;
                case "--slo": o.SloP99Ms = Durations.Parse(Value(), name).TotalMilliseconds; break;
                case "--spike-at":
                    o.SpikeAt = TimeOnly.TryParseExact(Value(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
                        ? at : throw new UsageException("--spike-at: HH:MM");
                    break;
                case "--sync-offset":
                    o.SyncOffset = int.TryParse(Value(), CultureInfo.InvariantCulture, out var offset) && offset is >= 0 and < 15
                        ? offset : throw new UsageException("--sync-offset: 0..14");
                    break;
                case "--out": o.Out = Value(); break;
                default: throw new UsageException($"unknown option {name} (--help lists them)");
            }
        }
        return o;
    }

    /// <summary>The model of one service: defaults, then the report's figures, then the explicit keys.</summary>
    public ServiceModel Model(string service, HarnessFigures? figures, bool packetsQueue)
    {
        var keys = Services.GetValueOrDefault(service) ?? [];
        double Seconds(string key, double fallback) => keys.TryGetValue(key, out var v) ? Durations.Parse(v, $"--service {service} {key}").TotalSeconds : fallback;
        double Number(string key, double? fallback) => keys.TryGetValue(key, out var v) ? Positive(v, $"--service {service} {key}")
            : fallback ?? throw new UsageException($"{service}: give {key}= with --service {service}:{key}=... or a --report for it");
        var timeout = keys.GetValueOrDefault("timeout");
        var queue = keys.GetValueOrDefault("queue") ?? (packetsQueue ? "packets" : "backlog");
        return new ServiceModel(service,
            Number("capacity", figures?.ThroughputPerReplica),
            keys.ContainsKey("cpu") ? Seconds("cpu", 0) : figures?.CpuSecondsPerRequest ?? throw new UsageException($"{service}: give cpu= (CPU time per request) or a --report"),
            Seconds("start", 10), Seconds("ready", 20),
            keys.ContainsKey("base-p99") ? Seconds("base-p99", 0) * 1000 : figures?.MedianSecondP99Ms ?? 50,
            Number("ratio", 1),
            timeout == "none" ? null : timeout is null ? 10 : Durations.Parse(timeout, $"--service {service} timeout").TotalSeconds,
            queue switch
            {
                "packets" => QueueSource.Packets,
                "backlog" => QueueSource.Backlog,
                _ => throw new UsageException($"--service {service} queue={queue}: packets or backlog"),
            });
    }

    private static void AddService(CapacityOptions o, string spec)
    {
        var colon = spec.IndexOf(':');
        var name = colon < 0 ? spec : spec[..colon];
        var keys = o.Services.TryGetValue(name, out var existing) ? existing : o.Services[name] = new(StringComparer.Ordinal);
        foreach (var pair in colon < 0 ? [] : spec[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                throw new UsageException($"--service {spec}: '{pair}' is not key=value");
            }
            keys[pair[..eq]] = pair[(eq + 1)..];
        }
    }

    private static double Positive(string text, string what) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v)
            ? v : throw new UsageException($"{what}: '{text}' is not a positive number");
}
