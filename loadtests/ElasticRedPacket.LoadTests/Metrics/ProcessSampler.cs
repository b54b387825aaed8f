namespace ElasticRedPacket.LoadTests.Metrics;

/// <summary>
/// Samples the local stack's processes once a second during the load (Linux /proc): peak resident
/// memory and CPU time, per process the stack recorded a pid for ($ERP_DATA_DIR/pids/*.pid, plus
/// nginx's workers) and the harness itself, the whole machine's CPU (<see cref="Machine"/>) and the
/// harness's own garbage collections (<see cref="HarnessGc"/>).
/// The memory target (each service under 300 MB RSS at peak) is the SLO metric <c>rss_mb</c>.
/// </summary>
public sealed class ProcessSampler : IDisposable
{
    private const double ClockTicksPerSecond = 100; // USER_HZ on Linux
    private readonly Dictionary<int, Tracked> _processes = [];
    private readonly List<(long Timestamp, CpuTicks Ticks)> _machine = [];
    private readonly Lock _gate = new();
    private readonly HarnessGcWatch _gc = new();
    private Timer? _timer;

    /// <summary>The machine's CPU over the sampled time (null before <see cref="Stop"/> or without /proc/stat).</summary>
    public MachineReport? Machine { get; private set; }

    /// <summary>The harness's own garbage collections over the sampled time (null before <see cref="Stop"/>).</summary>
    public HarnessGcReport? HarnessGc { get; private set; }

    private sealed class Tracked(string name, string kind)
    {
        public string Name { get; } = name;
        public string Kind { get; } = kind;
        public long PeakRssKb { get; set; }
        public long FirstCpuTicks { get; set; } = -1;
        public long LastCpuTicks { get; set; }
    }

    /// <summary>The processes of the stack whose data folder is <paramref name="dataDir"/> (none if it is not local).</summary>
    public static ProcessSampler ForStack(string? dataDir)
    {
        var sampler = new ProcessSampler();
        sampler.Add(Environment.ProcessId, "load-test harness", "harness");
        var pids = dataDir is null ? null : Path.Combine(dataDir, "pids");
        if (pids is not null && Directory.Exists(pids) && Directory.Exists("/proc"))
        {
            foreach (var file in Directory.GetFiles(pids, "*.pid").Order(StringComparer.Ordinal))
            {
                if (int.TryParse(File.ReadAllText(file).Trim(), out var pid) && File.Exists($"/proc/{pid}/status"))
                {
                    var name = Path.GetFileNameWithoutExtension(file);
                    var service = name.StartsWith("svc-", StringComparison.Ordinal);
                    sampler.Add(pid, service ? name[4..] : name, service ? "service" : "infrastructure");
                    if (name == "nginx")
                    {
                        foreach (var child in Children(pid))
                        {
                            sampler.Add(child, $"nginx worker {child}", "infrastructure");
                        }
                    }
                }
            }
        }
        return sampler;
    }

    public void Start()
    {
        _gc.Start();
        Sample(); // the CPU baseline, taken before the first timer tick
        _timer = new Timer(static s => ((ProcessSampler)s!).Sample(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public IReadOnlyList<ProcessReport> Stop(TimeSpan elapsed)
    {
        _timer?.Dispose();
        _timer = null;
        Sample();
        lock (_gate)
        {
            Machine = MachineReport.From([.. _machine.Select(m => m.Ticks)], Environment.ProcessorCount);
            HarnessGc = _gc.Stop();
            return [.. _processes.Select(p =>
            {
                var cpu = p.Value.FirstCpuTicks < 0 ? 0 : (p.Value.LastCpuTicks - p.Value.FirstCpuTicks) / ClockTicksPerSecond;
                return new ProcessReport(p.Value.Name, p.Value.Kind, p.Key, Math.Round(p.Value.PeakRssKb / 1024.0, 1), Math.Round(cpu, 2),
                    elapsed.TotalSeconds <= 0 ? 0 : Math.Round(100 * cpu / elapsed.TotalSeconds, 1));
            })];
        }
    }

    /// <summary>The machine per measured second (busy and stolen cores), from the samples taken so far.</summary>
    public IReadOnlyDictionary<int, MachineSecond> MachineSeconds(long measureStart)
    {
        lock (_gate)
        {
            return MachineSecond.From(_machine, measureStart, Environment.ProcessorCount);
        }
    }

    public void Dispose() => _timer?.Dispose();

    private void Add(int pid, string name, string kind) => _processes[pid] = new Tracked(name, kind);

    private void Sample()
    {
        lock (_gate)
        {
            _gc.Sample();
            if (CpuTicks.Read() is { } machine)
            {
                _machine.Add((Stopwatch.GetTimestamp(), machine));
            }
            foreach (var (pid, tracked) in _processes)
            {
                try
                {
                    var status = File.ReadAllLines($"/proc/{pid}/status");
                    var rss = status.FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                    if (rss is not null && long.TryParse(rss["VmRSS:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), out var kb))
                    {
                        tracked.PeakRssKb = Math.Max(tracked.PeakRssKb, kb);
                    }
                    // /proc/<pid>/stat: fields after the ")" that closes the command name; utime and stime are the 14th and 15th.
                    var stat = File.ReadAllText($"/proc/{pid}/stat");
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                    if (tracked.FirstCpuTicks < 0)
                    {
                        tracked.FirstCpuTicks = ticks;
                    }
                    tracked.LastCpuTicks = ticks;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
                {
                    // The process exited (a replica restarted mid-run): keep what was sampled.
                }
            }
        }
    }

    private static IEnumerable<int> Children(int parent)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue;
            }
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length > 1 && fields[1] == parent.ToString(CultureInfo.InvariantCulture))
            {
                yield return pid;
            }
        }
    }
}

/// <summary>A process during the load (kind: service, infrastructure or harness): peak resident memory (MB), CPU seconds used and the average CPU share (100% = one core).</summary>
public sealed record ProcessReport(string Name, string Kind, int Pid, double PeakRssMb, double CpuSeconds, double CpuPercent);
