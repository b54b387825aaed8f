using ElasticRedPacket.LoadTests.Audit;
using ElasticRedPacket.LoadTests.Cli;
using ElasticRedPacket.LoadTests.Client;
using ElasticRedPacket.LoadTests.Load;
using ElasticRedPacket.LoadTests.Metrics;
using ElasticRedPacket.LoadTests.Report;
using ElasticRedPacket.LoadTests.Scenarios;
using ElasticRedPacket.LoadTests.Slo;

namespace ElasticRedPacket.LoadTests;

/// <summary>The result of a run: its exit code, the report (null if the harness failed before the load) and where it was written.</summary>
public sealed record RunResult(int ExitCode, RunReport? Report, string? Folder);

/// <summary>
/// One run: resolve endpoints, let the scenario set up, run the phases with a progress line per
/// second, audit, judge the SLOs, write the reports. Exit codes: 0 pass, 1 SLO failed, 2 audit
/// failed (it wins over an SLO failure), 3 harness error.
/// </summary>
public static class LoadTestRunner
{
    public const int Pass = 0;
    public const int SloFailed = 1;
    public const int AuditFailed = 2;
    public const int HarnessError = 3;

    public static async Task<RunResult> RunAsync(RunOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var rules = options.Slo.Select(SloParser.Parse).Concat(options.SloFile is { } file ? SloParser.ParseFile(file) : []).ToList();
        var context = Resolve(options, output);
        using var setupHttp = LoadHttp.Create(context.Ingress, 128, TimeSpan.FromSeconds(30));
        using var load = new LoadConnection(context.Ingress, options.Connections, options.Timeout);
        context = context with { Load = load, Setup = new ErpClient(setupHttp, context.OperatorKey) };

        var scenario = Scenario.Create(options.Scenario);
        var phases = scenario.Phases(options);
        var startedAt = DateTimeOffset.UtcNow;
        await output.WriteLineAsync($"{scenario.Name}: {scenario.Description}; target {context.Ingress}");
        await output.WriteLineAsync("phases: " + string.Join("; ", phases.Select(p => (p.IsWarmUp ? "warm-up " : "") + p.Describe())));

        var target = await scenario.PrepareAsync(context, cancellationToken);
        var stats = new RunStats(target.Outcomes);
        var engine = new LoadEngine(target, stats, options.MaxInFlight, options.Timeout + TimeSpan.FromSeconds(2));
        using var progressStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var progress = options.Quiet ? Task.CompletedTask : new ProgressPrinter(engine, stats, output).RunAsync(progressStop.Token);
        using var sampler = ProcessSampler.ForStack(context.DataDir);
        var loadStarted = Stopwatch.GetTimestamp();
        sampler.Start();
        try
        {
            await engine.RunAsync(phases, cancellationToken);
        }
        finally
        {
            await progressStop.CancelAsync();
            await progress;
        }
        var processes = sampler.Stop(Stopwatch.GetElapsedTime(loadStarted));

        var measured = PhaseSpec.Measured(phases);
        AuditReport? audit = null;
        if (!options.NoAudit)
        {
            audit = await scenario.AuditAsync(context, CancellationToken.None);
        }
        var slo = SloEvaluator.Evaluate(rules, stats, measured, processes);
        var exitCode = audit is { Passed: false } ? AuditFailed : slo.Any(s => !s.Passed) ? SloFailed : Pass;
        var verdict = exitCode switch
        {
            Pass => rules.Count == 0 && audit is null ? "done (no SLO given)" : "PASS",
            SloFailed => "FAIL (SLO)",
            _ => "FAIL (audit)",
        };
        var report = ReportBuilder.Build(scenario.Name, scenario.Description, options.CommandLine, startedAt, context.Ingress.ToString(),
            [.. phases.Select(p => (p.IsWarmUp ? "warm-up " : "") + p.Describe())], measured, stats, processes, slo, audit, verdict, exitCode,
            sampler.Machine, PhaseBreakdown.Build(phases, stats, rules), sampler.HarnessGc, sampler.MachineSeconds(stats.StartTimestamp));
        var folder = options.Out ?? ReportWriter.DefaultFolder(scenario.Name, startedAt);
        ReportWriter.Write(report, folder);
        await output.WriteLineAsync(Summary(report, folder));
        try
        {
            await scenario.FinishAsync(context, CancellationToken.None);
        }
        catch (Exception ex) when (ex is HarnessException or HttpRequestException)
        {
            // The run's verdict stands; the campaign is left as it is.
            await output.WriteLineAsync($"warning: {ex.Message}");
        }
        return new RunResult(exitCode, report, folder);
    }

    private static RunContext Resolve(RunOptions options, TextWriter output)
    {
        var envPath = options.StackEnv;
        if (envPath is null)
        {
            var fallback = Path.Combine(Directory.GetCurrentDirectory(), ".local", "dev", "stack.env");
            envPath = File.Exists(fallback) ? fallback : null;
        }
        var env = envPath is null ? null : StackEnvFile.Load(envPath);
        string? Pick(string? option, string key) => option ?? env?[key] ?? Environment.GetEnvironmentVariable(key);

        var url = options.Url?.ToString() ?? Pick(null, "ERP_NGINX_URL")
            ?? throw new UsageException("where is the stack? give --stack-env <stack.env> or --url <ingress>");
        var operatorKey = Pick(options.OperatorKey, "ERP_OPERATOR_KEY");
        if (options.Scenario != "trivial" && string.IsNullOrEmpty(operatorKey))
        {
            throw new UsageException($"{options.Scenario} issues campaigns and creates users: give --operator-key or --stack-env");
        }
        return new RunContext(options, new Uri(url), env?["ERP_DATA_DIR"], operatorKey, Pick(options.Postgres, "ERP_POSTGRES"), Pick(options.RabbitMq, "ERP_RABBITMQ"),
            Pick(options.RabbitManagement, "ERP_RABBITMQ_MANAGEMENT"), null!, null!, output);
    }

    private static string Summary(RunReport r, string folder)
    {
        var inv = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            "",
            string.Create(inv, $"{r.Scenario}: {r.Verdict} (exit {r.ExitCode})"),
            string.Create(inv, $"  {r.Totals.Completed} requests in {r.MeasuredSeconds:0.#} s = {r.Totals.Throughput:0.#}/s; errors {r.Totals.Errors}, dropped {r.Totals.Dropped}, error rate {r.Totals.ErrorRate:P3}"),
            string.Create(inv, $"  latency ms: p50 {r.Latency.P50} p75 {r.Latency.P75} p95 {r.Latency.P95} p99 {r.Latency.P99} p99.9 {r.Latency.P999} max {r.Latency.Max}"),
            "  outcomes: " + string.Join(", ", r.Outcomes.Select(o => string.Create(inv, $"{o.Outcome} {o.Count} (p99 {o.Latency.P99} ms)"))),
            "  status codes: " + string.Join(", ", r.StatusCodes.Select(kv => $"{kv.Key}: {kv.Value}")),
        };
        if (r.Processes.Count > 1)
        {
            lines.Add("  processes (peak RSS, CPU during the load): " + string.Join(", ", r.Processes.Select(p => string.Create(inv, $"{p.Name} {p.PeakRssMb:0} MB {p.CpuPercent:0}%"))));
        }
        lines.AddRange(r.MachineNotes().Select(note => "  " + note.Text));
        lines.AddRange(r.Slo.Select(s => string.Create(inv, $"  SLO {s.Expression}: {s.Actual:0.###} {s.Unit} -> {(s.Passed ? "pass" : "FAIL")}")));
        if (r.PhaseResults is { Count: > 1 } phases)
        {
            lines.AddRange(phases.Select(p => string.Create(inv,
                $"  phase {p.Phase} (s {p.FromSecond}-{p.ToSecond}): {p.Throughput:0.#}/s answered, dropped {p.Dropped}, p50 {p.P50} p99 {p.P99} ms{(p.Slo.Count == 0 ? "" : p.MeetsSlo ? ", SLOs met" : ", SLO broken")}")));
            if (PhaseBreakdown.Conclusion(r) is { } conclusion)
            {
                lines.Add("  " + conclusion);
            }
        }
        if (r.Audit is { } audit)
        {
            lines.AddRange(audit.Checks.Select(c => $"  audit {(c.Passed ? "pass" : "FAIL")}: {c.Name}: {c.Detail}"));
        }
        lines.Add($"  reports: {folder}/report.{{md,json,html}}");
        return string.Join(Environment.NewLine, lines);
    }
}
