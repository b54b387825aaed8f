using ElasticRedPacket.Capacity.Cli;
using ElasticRedPacket.Capacity.Manifests;
using ElasticRedPacket.Capacity.Model;
using ElasticRedPacket.Capacity.Output;
using ElasticRedPacket.Capacity.Simulator;
using ElasticRedPacket.LoadTests.Cli;

namespace ElasticRedPacket.Capacity;

/// <summary>One planning run: read the manifests and figures, simulate and search per service, write the report files.</summary>
public static class CapacityRunner
{
    public static int Run(CapacityOptions options, TextWriter output)
    {
        var root = RepoRoot();
        var manifests = options.ManifestsFile is { } file ? ManifestReader.FromFile(file) : ManifestReader.FromOverlay(root, options.Overlay);
        var run = Plan(options, manifests, TrafficFrom(options));
        var folder = options.Out ?? Path.Combine(root, "loadtests", "reports", $"capacity-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "capacity.md"), CapacityReport.Markdown(run));
        File.WriteAllText(Path.Combine(folder, "capacity.html"), HtmlPage.Render(run));
        File.WriteAllText(Path.Combine(folder, "recommendation.yaml"), run.Patch);
        foreach (var plan in run.Plans)
        {
            File.WriteAllText(Path.Combine(folder, $"{plan.Model.Service}.csv"), CapacityReport.Csv(plan.Current));
        }
        output.WriteLine($"manifests: {run.Source}");
        output.WriteLine($"profile: {run.ProfileDescription}; spike at second {run.SpikeStart}; cron window: {run.CronPlacement}");
        foreach (var warning in run.Warnings)
        {
            output.WriteLine($"warning: {warning}");
        }
        output.Write(CapacityReport.Summary(run));
        output.WriteLine();
        output.Write(run.Patch);
        output.WriteLine($"reports: {folder}/capacity.{{md,html}}, recommendation.yaml, <service>.csv");
        return run.Plans.All(p => p.Current.MeetsSlo) ? 0 : 1;
    }

    public static TrafficProfile TrafficFrom(CapacityOptions o) => o.Profile switch
    {
        "holiday-spike" => TrafficProfile.HolidaySpike(o.Peak, o.BaseRate, o.BaseDuration, o.Duration),
        _ when o.Profile.StartsWith("csv:", StringComparison.Ordinal) => TrafficProfile.FromCsv(o.Profile[4..]),
        _ => TrafficProfile.FromSpec(o.Profile),
    };

    public static CapacityRun Plan(CapacityOptions options, ClusterManifests manifests, TrafficProfile profile)
    {
        var figures = options.Reports.ToDictionary(r => r.Service, r => HarnessFigures.Read(r.Path, r.Service), StringComparer.Ordinal);
        var services = options.Services.Keys.Concat(figures.Keys).Distinct(StringComparer.Ordinal).ToList();
        if (services.Count == 0)
        {
            throw new UsageException("which services? give --service NAME:capacity=...,cpu=... or --report report.json[:SERVICE]");
        }
        var warnings = new List<string>();
        var placements = new List<string>();
        var plans = new List<ServicePlan>();
        foreach (var service in services)
        {
            var autoscaler = manifests.AutoscalerFor(service) ?? throw new UsageException($"{service}: no autoscaler targets it in {manifests.Source}");
            var cpu = manifests.Deployment(service) ?? throw new UsageException($"{service}: no Deployment in {manifests.Source}");
            warnings.AddRange(autoscaler.Warnings);
            var packets = autoscaler.Metrics.OfType<QueueLengthMetric>().Any(q => q.QueueName.Contains("packets", StringComparison.Ordinal));
            var model = options.Model(service, figures.GetValueOrDefault(service), packets);
            var cron = CronWindow.Always;
            if (autoscaler.Cron is { } trigger)
            {
                var placed = options.SpikeAt is { } at ? CronSchedule.Place(trigger, at, profile.SpikeStart) : null;
                cron = placed ?? CronWindow.Always;
                placements.Add(placed is null
                    ? $"{service}: {trigger.Start} - {trigger.End} {trigger.TimeZone} taken as open throughout{(options.SpikeAt is null ? " (no --spike-at)" : "")}"
                    : $"{service}: {trigger.Start} - {trigger.End} {trigger.TimeZone}, spike at {options.SpikeAt:HH:mm}: seconds {Math.Max(placed.From, -99999)} to {Math.Min(placed.To, 99999)}");
            }
            var settings = new SimulationSettings(options.SloP99Ms, cron, options.Releases);
            var plan = Planner.Plan(autoscaler, cpu, model, profile, settings);
            if (options.SyncOffset is { } offset)
            {
                plan = plan with { Current = new ServiceSimulator(autoscaler, cpu, model, settings with { SyncOffset = offset }).Run(profile) };
            }
            plans.Add(plan);
        }
        return new(manifests.Source, profile.Description, profile.SpikeStart, options.SloP99Ms,
            placements.Count == 0 ? "no cron trigger" : string.Join("; ", placements), plans, warnings.Distinct().ToList(),
            OverlayPatch.Render(plans, options.SpikeAt));
    }

    public static string RepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ElasticRedPacket.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        return Directory.GetCurrentDirectory();
    }
}
