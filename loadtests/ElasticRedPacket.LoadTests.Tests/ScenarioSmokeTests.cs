using System.Globalization;
using ElasticRedPacket.LoadTests.Cli;
using ElasticRedPacket.TestSupport;

namespace ElasticRedPacket.LoadTests.Tests;

/// <summary>
/// A few seconds of each scenario against the stack deploy/local/test.sh started (no performance
/// assertion): set-up through the public APIs, the load, the audit clean (ready + unacked from the
/// management API), the reports written.
/// </summary>
public sealed class ScenarioSmokeTests
{
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    [Theory]
    [InlineData("trivial")]
    [InlineData("grab-peak")]
    [InlineData("holiday-spike")]
    [InlineData("operator")]
    public async Task RunAsync_ShortRunAgainstTheStack_PassesWithCleanAudit(string scenario)
    {
        // Two batches a second apart, released well inside the 3.5 s of load: the campaign sells out.
        var args = Arguments(scenario, packets: 60);
        if (scenario == "holiday-spike")
        {
            args.AddRange(["--base-rate", "50", "--base-duration", "1s"]);
        }
        if (scenario == "operator")
        {
            args.AddRange(["--operator-every", "10", "--issue-every", "5"]);
        }
        var (result, output) = await RunAsync(args);

        Assert.True(result.ExitCode == LoadTestRunner.Pass, output);
        Assert.True(result.Report!.Totals.Completed > 0);
        if (scenario != "trivial")
        {
            Assert.True(result.Report.Audit is { Passed: true }, output);
            // The campaign sells out over its releases: some grabs won.
            Assert.True(result.Report.Outcomes.Any(o => o.Outcome == "won"), output);
        }
    }

    [Fact]
    public async Task RunAsync_StoppedBeforeSellOut_AuditCountsPacketsHeldInConsumersAndIsClean()
    {
        // 2000 packets, at most 300 winners: the redpacket replicas still hold full prefetch buffers
        // (unacked) when the load stops. The management API's unacked count accounts for them.
        var (result, output) = await RunAsync(Arguments("grab-peak", packets: 2000, userBase: 7_400_000));

        Assert.True(result.ExitCode == LoadTestRunner.Pass, output);
        var audit = result.Report!.Audit!;
        Assert.EndsWith("queue: RabbitMQ management API", audit.Source, StringComparison.Ordinal);
        var balance = audit.Checks.Single(c => c.Name.StartsWith("released =", StringComparison.Ordinal)).Detail;
        var unacked = System.Text.RegularExpressions.Regex.Match(balance, @"unacked (\d+)");
        Assert.True(unacked.Success && long.Parse(unacked.Groups[1].Value, CultureInfo.InvariantCulture) > 0, balance);
    }

    [Fact]
    public async Task RunAsync_AwaitRelease_StartsTheLoadOnlyOnceEveryPacketIsReleased()
    {
        // Two batches four seconds apart, the first at once: the harness must wait for the second
        // (monitor's released = packets) before any grab goes out. The wait is counted from after the campaign
        // was issued, which can take a second on a busy machine: 4 s keeps it well above the 1.5 s checked.
        var args = Arguments("grab-peak", packets: 60, userBase: 7_600_000);
        args[args.IndexOf("--interval") + 1] = "4s";
        args.AddRange(["--await-release", "30s"]);
        var (result, output) = await RunAsync(args);

        Assert.True(result.ExitCode == LoadTestRunner.Pass, output);
        var waited = System.Text.RegularExpressions.Regex.Match(output, @"all 60 packets released after ([0-9.]+) s");
        Assert.True(waited.Success, output);
        Assert.True(double.Parse(waited.Groups[1].Value, CultureInfo.InvariantCulture) >= 1.5, output);
        Assert.True(result.Report!.Audit is { Passed: true }, output);
    }

    [Fact]
    public async Task RunAsync_AwaitReleaseTooShort_StopsBeforeTheLoadWithAHarnessError()
    {
        var args = Arguments("grab-peak", packets: 60, userBase: 7_600_000);
        args[args.IndexOf("--interval") + 1] = "5s";
        args.AddRange(["--await-release", "1s"]);
        var error = await Assert.ThrowsAsync<Client.HarnessException>(() => RunAsync(args));

        Assert.Contains("--await-release: campaign", error.Message, StringComparison.Ordinal);
        Assert.Contains("of 60 packets released after 1 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CloseAfter_ClosesTheCampaignAfterTheAudit()
    {
        // More packets than the 300 users can win: the audit passes with packets left, then the campaign is closed.
        var args = Arguments("grab-peak", packets: 1000, userBase: 7_700_000);
        args.Add("--close-after");
        var (result, output) = await RunAsync(args);

        Assert.True(result.ExitCode == LoadTestRunner.Pass, output);
        Assert.True(result.Report!.Audit is { Passed: true }, output);
        var closed = System.Text.RegularExpressions.Regex.Match(output, @"campaign (\d+): closed \(--close-after\)");
        Assert.True(closed.Success, output);
        Assert.True(output.IndexOf("audit pass", StringComparison.Ordinal) < closed.Index, output);

        var env = StackEnvironment.Current;
        using var http = new HttpClient { BaseAddress = env.NginxUrl };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/campaigns/" + closed.Groups[1].Value);
        request.Headers.Add("X-Operator-Key", env.OperatorKey);
        using var response = await http.SendAsync(request);
        var view = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, view);
        Assert.Contains("\"status\":\"closed\"", view, StringComparison.Ordinal);
    }

    private static List<string> Arguments(string scenario, int packets, long? userBase = null)
    {
        var env = StackEnvironment.Current;
        return
        [
            scenario, "--url", env.NginxUrl.ToString(), "--operator-key", env.OperatorKey, "--postgres", env.Postgres,
            "--rabbitmq", env.RabbitMq, "--rabbitmq-management", env.RabbitMqManagement,
            "--rate", "200", "--duration", "3s", "--warmup", "500ms", "--quiet",
            "--accounts", "300", "--user-id-from", (userBase ?? UserBase(scenario)).ToString(CultureInfo.InvariantCulture),
            "--packets", packets.ToString(CultureInfo.InvariantCulture), "--batches", "2", "--interval", "1s", "--start-delay", "0s", "--audit-wait", "20s",
            "--slo", "status_5xx<1", "--slo", "dropped<=0",
        ];
    }

    private static async Task<(RunResult Result, string Output)> RunAsync(List<string> args)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"erp-smoke-{args[0]}-{Guid.NewGuid():N}");
        args.AddRange(["--out", folder]);
        var output = new StringWriter();
        await OneAtATime.WaitAsync();
        try
        {
            var result = await LoadTestRunner.RunAsync(OptionParser.Parse(args), output, CancellationToken.None);
            Assert.True(File.Exists(Path.Combine(folder, "report.html")), output.ToString());
            return (result, output.ToString());
        }
        finally
        {
            OneAtATime.Release();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    // Each scenario its own users, so their wins never mix.
    private static long UserBase(string scenario) => scenario switch
    {
        "grab-peak" => 7_100_000,
        "holiday-spike" => 7_200_000,
        _ => 7_300_000,
    };
}
