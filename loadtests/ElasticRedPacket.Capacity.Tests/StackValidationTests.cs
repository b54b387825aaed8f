using System.Diagnostics;
using ElasticRedPacket.Capacity.Manifests;
using ElasticRedPacket.Capacity.Model;
using ElasticRedPacket.Capacity.Simulator;
using ElasticRedPacket.LoadTests;
using ElasticRedPacket.LoadTests.Cli;
using ElasticRedPacket.TestSupport;
using Xunit.Abstractions;

namespace ElasticRedPacket.Capacity.Tests;

/// <summary>
/// The whole simulator against the stack deploy/local/test.sh started: a calibration run gives the CPU
/// per grab and the light-load p99; the simulator, on the local overlay's redpacket ScaledObject
/// (rendered), predicts a holiday spike and when the autoscaler scales; the harness then drives the
/// same spike while deploy/local/scale.sh changes redpacket's replicas on that schedule. Measured
/// throughput and p99 must fall within the stated bounds of the prediction (docs/capacity.md).
/// </summary>
public sealed class StackValidationTests(ITestOutputHelper output)
{
    // The rates this shared 2-core machine carries with room (docs/performance.md: ~3,300 grabs/s warm,
    // 2 replicas): the model predicts no queueing, so the check is throughput = offered and p99 = the
    // light-load p99, with the replica change happening mid-load.
    private const double PeakRate = 150;

    // The base rate is the highest of these at which the simulated autoscaler starts below its maximum
    // and still acts on the spike. A fixed base failed CI: the CPU per grab measured at 150/s (mostly the
    // replicas' idle background work) swings 2-6 ms, and at 6 ms a 20/s base already needs the maximum.
    private static readonly double[] BaseRates = [20, 10, 5, 2];
    private const double CapacityPerReplica = 1658; // docs/performance.md: 3,316 grabs/s on 2 replicas

    // Bounds (stated in docs/capacity.md): throughput within 10 %; p99 within a factor of 4 either way
    // plus 250 ms of slack upward (tails on a machine shared with other builds swing that much).
    private const double ThroughputTolerance = 0.10;
    private const double P99Factor = 4;
    private const double P99SlackMs = 250;

    // The model sheds nothing at these rates; a replica joining or leaving nginx (a reload) may cost a request.
    private const double MaxErrorRate = 0.005;

    [Fact]
    public async Task HolidaySpike_ScaledOnTheSimulatorsSchedule_MatchesThePrediction()
    {
        var env = StackEnvironment.Current;
        var replicasBefore = StackScripts.Replicas("redpacket");
        var folder = Path.Combine(Path.GetTempPath(), $"erp-capacity-validation-{Guid.NewGuid():N}");
        try
        {
            // 1. Calibrate: per-replica CPU per grab and light-load p99 from a harness report, like --report does.
            // 8 s, not 4: the base p99 is a median over the calibration's seconds, and one slow moment of the VM
            // over 4 s once made it 125 ms, four times what the spike then measured (a failed CI run, session 10).
            var calibration = await RunHarnessAsync(env, folder, "calibration", ["--rate", $"{PeakRate}", "--duration", "8s", "--warmup", "2s"], 7_400_000, new LoadStartWatcher());
            var figures = HarnessFigures.Read(Path.Combine(calibration, "report.json"), "redpacket");

            // 2. Predict on the local overlay as rendered; the campaign window is closed (no cron pre-scale).
            var manifests = ManifestReader.FromOverlay(StackEnvironment.RepoRoot, "local");
            var autoscaler = manifests.AutoscalerFor("redpacket")!;
            var model = new ServiceModel("redpacket", CapacityPerReplica, figures.CpuSecondsPerRequest, StartSeconds: 2, ReadySeconds: 5, figures.MedianSecondP99Ms);
            var settings = new SimulationSettings(500, Cron: new CronWindow(int.MaxValue / 2, int.MaxValue / 2), SyncOffset: 0, PreludeSeconds: 60);
            var simulator = new ServiceSimulator(autoscaler, manifests.Deployment("redpacket")!, model, settings);
            var tried = BaseRates.Select(rate => (Rate: rate, Prediction: simulator.Run(TrafficProfile.HolidaySpike(PeakRate, rate, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(24))))).ToList();
            var chosen = tried.FirstOrDefault(t => t.Prediction.Events.Count > 0 && t.Prediction.Rows[0].Ready < autoscaler.MaxReplicas);
            Assert.True(chosen.Prediction is not null,
                $"the spike must make the simulated autoscaler act (CPU per grab {figures.CpuSecondsPerRequest * 1000:0.###} ms; {string.Join(", ", tried.Select(t => $"base {t.Rate}/s starts at {t.Prediction.Rows[0].Ready} of {autoscaler.MaxReplicas}, {t.Prediction.Events.Count} changes"))})");
            var (baseRate, prediction) = chosen;
            // The schedule: the replicas the simulation starts with, then each change the autoscaler makes.
            var initial = prediction.Rows[0].Ready;
            if (StackScripts.Replicas("redpacket") != initial)
            {
                await StackScripts.RunAsync("scale.sh", "redpacket", initial.ToString(CultureInfo.InvariantCulture));
            }

            // 3. Drive the same spike; scale on the predicted schedule, on the load's clock.
            var watcher = new LoadStartWatcher();
            var load = RunHarnessAsync(env, folder, "spike", ["--rate", $"{PeakRate}", "--base-rate", $"{baseRate}", "--base-duration", "15s",
                "--duration", "24s", "--warmup", "0s"], 7_500_000, watcher);
            var first = await Task.WhenAny(watcher.LoadStarted, load, Task.Delay(TimeSpan.FromSeconds(120)));
            Assert.True(watcher.LoadStarted.IsCompleted, $"the spike run's load did not begin within 120 s{(first == load ? $" (the harness ended: {load.Exception?.GetBaseException().Message})" : "")}; its output:\n{watcher.Log}");
            var started = await watcher.LoadStarted;
            var scaled = new List<string>();
            foreach (var step in prediction.Events)
            {
                var due = TimeSpan.FromSeconds(step.Second) - Stopwatch.GetElapsedTime(started);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due);
                }
                var scaling = Stopwatch.GetTimestamp();
                await StackScripts.RunAsync("scale.sh", "redpacket", step.To.ToString(CultureInfo.InvariantCulture));
                scaled.Add(string.Create(CultureInfo.InvariantCulture,
                    $"t={step.Second}s {step.From}->{step.To}: started at {Stopwatch.GetElapsedTime(started, scaling).TotalSeconds:0.0}s, ready after {Stopwatch.GetElapsedTime(scaling).TotalSeconds:0.0}s (model: {model.ReadySeconds}s)"));
            }
            var report = Path.Combine(await load, "report.json");
            var measured = HarnessFigures.Read(report, "redpacket");
            var totals = System.Text.Json.JsonDocument.Parse(File.ReadAllText(report)).RootElement.GetProperty("totals");
            var errorRate = totals.GetProperty("errorRate").GetDouble();
            // The typical second's tail: the median over seconds of each second's p99, against the model's per-second p99.
            var measuredSecondP99 = measured.MedianSecondP99Ms;
            var predictedSecondP99 = HarnessFigures.Median([.. prediction.Rows.Select(r => r.P99Ms)]);
            var replicasAfter = StackScripts.Replicas("redpacket");

            // 4. Compare.
            var predictedThroughput = prediction.TotalServed / prediction.Rows.Count;
            var measuredThroughput = measured.ThroughputPerReplica * measured.Replicas;
            var predictedP99 = prediction.MaxP99Ms;
            var throughputError = (measuredThroughput - predictedThroughput) / predictedThroughput;
            var p99Error = (measured.P99Ms - predictedP99) / predictedP99;
            var secondP99Error = (measuredSecondP99 - predictedSecondP99) / predictedSecondP99;
            var summary = string.Create(CultureInfo.InvariantCulture, $"""
                spike: base {baseRate}/s -> peak {PeakRate}/s
                calibration ({PeakRate}/s, {figures.Replicas} replicas): CPU per grab {figures.CpuSecondsPerRequest * 1000:0.###} ms per redpacket replica, p99 {figures.P99Ms:0.#} ms, median per-second p99 {figures.MedianSecondP99Ms:0.#} ms (the model's base p99)
                schedule: {string.Join("; ", scaled)}
                predicted: {predictedThroughput:0.#} grabs/s served, max p99 {predictedP99:0.#} ms, replicas {prediction.Rows[0].Ready} -> {prediction.Rows[^1].Ready}, shed {prediction.TotalShed:0}
                measured:  {measuredThroughput:0.#} grabs/s, p99 {measured.P99Ms:0.#} ms, replicas {initial} -> {replicasAfter}, errors {totals.GetProperty("errors").GetInt64()} of {totals.GetProperty("requests").GetInt64()}
                median per-second p99: predicted {predictedSecondP99:0.#} ms, measured {measuredSecondP99:0.#} ms
                error: throughput {throughputError:+0.0%;-0.0%;0.0%}, median per-second p99 {secondP99Error:+0.0%;-0.0%;0.0%} (bounds: throughput +-{ThroughputTolerance:0%}, p99 within x{P99Factor} + {P99SlackMs} ms); whole-run p99 {p99Error:+0.0%;-0.0%;0.0%} (reported, not bounded: cold replicas' first requests)
                """);
            output.WriteLine(summary);
            File.WriteAllText(Path.Combine(env.DataDir, "capacity-validation.txt"), summary + Environment.NewLine);

            Assert.Equal(prediction.Events[^1].To, replicasAfter);
            Assert.True(Math.Abs(throughputError) <= ThroughputTolerance, summary);
            Assert.True(errorRate <= MaxErrorRate, summary);
            Assert.True(measuredSecondP99 >= predictedSecondP99 / P99Factor && measuredSecondP99 <= (predictedSecondP99 * P99Factor) + P99SlackMs, summary);
        }
        finally
        {
            if (StackScripts.Replicas("redpacket") != replicasBefore)
            {
                await StackScripts.RunAsync("scale.sh", "redpacket", replicasBefore.ToString(CultureInfo.InvariantCulture));
            }
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>One harness run (holiday-spike scenario, no audit: the check here is timing), its report folder.</summary>
    private static async Task<string> RunHarnessAsync(StackEnvironment env, string folder, string name, string[] load, long userBase, LoadStartWatcher log)
    {
        var outFolder = Path.Combine(folder, name);
        var args = new List<string>
        {
            "holiday-spike", "--url", env.NginxUrl.ToString(), "--operator-key", env.OperatorKey, "--postgres", env.Postgres, "--rabbitmq", env.RabbitMq,
            "--out", outFolder, "--no-audit", "--accounts", "3000", "--user-id-from", userBase.ToString(CultureInfo.InvariantCulture),
            "--packets", "6000", "--batches", "1", "--start-delay", "0s", "--stack-env", Environment.GetEnvironmentVariable("ERP_STACK_ENV") ?? Path.Combine(StackEnvironment.RepoRoot, ".local", "test", "stack.env"),
        };
        args.AddRange(load);
        if (name == "calibration")
        {
            args.AddRange(["--base-rate", $"{PeakRate}", "--base-duration", "1s"]);
        }
        var result = await LoadTestRunner.RunAsync(OptionParser.Parse(args), log, CancellationToken.None);
        Assert.True(result.Report is not null, log.Log);
        return outFolder;
    }
}
