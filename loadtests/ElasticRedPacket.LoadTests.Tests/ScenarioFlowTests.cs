using ElasticRedPacket.LoadTests.Cli;

namespace ElasticRedPacket.LoadTests.Tests;

/// <summary>
/// The harness's whole flow (set-up through the APIs, load, audit through monitor's API, verdict,
/// reports) against an in-process double of the public contract: it proves the harness's wiring
/// and that a broken ledger fails the run with exit code 2.
/// </summary>
public sealed class ScenarioFlowTests
{
    private static async Task<RunResult> RunAsync(ContractDouble service, string scenario, params string[] extra)
    {
        var folder = Path.Combine(Path.GetTempPath(), "erp-flow-" + Guid.NewGuid().ToString("N"));
        string[] args =
        [
            scenario, "--url", service.Url.ToString(), "--operator-key", "op-key", "--rate", "400", "--duration", "1s", "--warmup", "200ms",
            "--accounts", "300", "--packets", "100", "--batches", "1", "--quiet", "--out", folder, "--audit-wait", "1s", .. extra,
        ];
        var output = new StringWriter();
        try
        {
            return await LoadTestRunner.RunAsync(OptionParser.Parse(args), output, CancellationToken.None);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Fact]
    public async Task RunAsync_GrabPeakAgainstHonestLedger_PassesWithCleanAudit()
    {
        await using var service = await ContractDouble.StartAsync();

        var result = await RunAsync(service, "grab-peak", "--slo", "requests[won]>=1");

        Assert.Equal(LoadTestRunner.Pass, result.ExitCode);
        var audit = result.Report!.Audit!;
        Assert.True(audit.Passed, string.Join("; ", audit.Checks.Select(c => c.Name + ": " + c.Detail)));
        Assert.Equal("monitor API; queue: monitor's inQueue", audit.Source);
        // 100 packets, 300 users: every packet won during warm-up or the measured second, the rest already_won/sold_out.
        Assert.Contains("harness counted 100 won", audit.Checks[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_LedgerThatOversells_FailsTheRunWithExitCodeTwo()
    {
        await using var service = await ContractDouble.StartAsync(oversell: true);

        var result = await RunAsync(service, "grab-peak");

        Assert.Equal(LoadTestRunner.AuditFailed, result.ExitCode);
        Assert.Contains(result.Report!.Audit!.Checks, c => !c.Passed && c.Name.StartsWith("no packet claimed twice", StringComparison.Ordinal));
        Assert.Equal("FAIL (audit)", result.Report.Verdict);
    }

    [Fact]
    public async Task RunAsync_ManagementUrl_CountsUnackedAndWaitsForTheFiguresToHoldStill()
    {
        await using var service = await ContractDouble.StartAsync();

        var result = await RunAsync(service, "grab-peak", "--packets", "1000", "--rabbitmq-management", service.ManagementUrl, "--audit-settle", "1s");

        Assert.Equal(LoadTestRunner.Pass, result.ExitCode);
        var audit = result.Report!.Audit!;
        Assert.Equal("monitor API; queue: RabbitMQ management API", audit.Source);
        Assert.Contains("+ unacked 5, held in consumers' buffers", audit.Checks.Single(c => c.Name.StartsWith("released =", StringComparison.Ordinal)).Detail, StringComparison.Ordinal);
        // Clean only once the same figures were read 1 s apart: reads every 0.5 s, so at least three.
        Assert.True(service.QueueReads >= 3, $"{service.QueueReads} reads");
    }

    [Fact]
    public async Task RunAsync_ManagementCountsNeverHoldStill_FailsTheAudit()
    {
        await using var service = await ContractDouble.StartAsync(restlessQueue: true);

        var result = await RunAsync(service, "grab-peak", "--packets", "1000", "--rabbitmq-management", service.ManagementUrl, "--audit-settle", "1s");

        // Every read balances, but ready/unacked move between reads: the sample may lag a loss, so no clean verdict.
        Assert.Equal(LoadTestRunner.AuditFailed, result.ExitCode);
        var failed = Assert.Single(result.Report!.Audit!.Checks, c => !c.Passed);
        Assert.Equal("queue counts held still (3)", failed.Name);
    }

    [Fact]
    public async Task RunAsync_ManagementUrlWithWrongPassword_FailsTheAuditSayingWhy()
    {
        await using var service = await ContractDouble.StartAsync();

        var result = await RunAsync(service, "grab-peak", "--rabbitmq-management", service.ManagementUrl.Replace(":pw@", ":wrong@", StringComparison.Ordinal), "--audit-settle", "1s");

        Assert.Equal(LoadTestRunner.AuditFailed, result.ExitCode);
        var failed = Assert.Single(result.Report!.Audit!.Checks);
        Assert.Contains("answered 401", failed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_OperatorScenario_RecordsOperatorOutcomesApart()
    {
        await using var service = await ContractDouble.StartAsync();

        var result = await RunAsync(service, "operator", "--operator-every", "10", "--issue-every", "4");

        Assert.Equal(LoadTestRunner.Pass, result.ExitCode);
        var outcomes = result.Report!.Outcomes.ToDictionary(o => o.Outcome, o => o.Count);
        Assert.True(outcomes["monitor_read"] > 0);
        Assert.True(outcomes["campaign_issued"] > 0);
    }

    [Fact]
    public async Task RunAsync_HolidaySpike_RampsFromBaseToPeak()
    {
        await using var service = await ContractDouble.StartAsync();

        var result = await RunAsync(service, "holiday-spike", "--base-rate", "100", "--base-duration", "1s");

        Assert.Equal(LoadTestRunner.Pass, result.ExitCode);
        // 1 s at 100/s, a 1 s ramp 100 -> 400 (250 requests), 1 s at 400/s.
        Assert.Equal(100 + 250 + 400, result.Report!.Totals.Completed);
        Assert.Equal(["warm-up inject 100/s for 200ms", "inject 100/s for 1s", "ramp 100/s -> 400/s over 1s", "inject 400/s for 1s"], result.Report.Phases);
    }

    [Fact]
    public async Task RunAsync_SloNotMet_ExitCodeOne()
    {
        await using var service = await ContractDouble.StartAsync();

        var result = await RunAsync(service, "grab-peak", "--slo", "p99<1us");

        Assert.Equal(LoadTestRunner.SloFailed, result.ExitCode);
    }
}
