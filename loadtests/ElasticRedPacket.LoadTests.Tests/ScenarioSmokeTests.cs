using ElasticRedPacket.LoadTests.Cli;
using ElasticRedPacket.TestSupport;

namespace ElasticRedPacket.LoadTests.Tests;

/// <summary>
/// A few seconds of each scenario against the stack deploy/local/test.sh started (no performance
/// assertion): set-up through the public APIs, the load, the audit clean, the reports written.
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
        // Two batches a second apart, released well inside the 3.5 s of load, so every packet is claimed
        // before the audit (a packet a consumer still holds unacked is not in RabbitMQ's ready count).
        var env = StackEnvironment.Current;
        var folder = Path.Combine(Path.GetTempPath(), $"erp-smoke-{scenario}-{Guid.NewGuid():N}");
        var args = new List<string>
        {
            scenario, "--url", env.NginxUrl.ToString(), "--operator-key", env.OperatorKey, "--postgres", env.Postgres, "--rabbitmq", env.RabbitMq,
            "--rate", "200", "--duration", "3s", "--warmup", "500ms", "--out", folder, "--quiet",
            "--accounts", "300", "--user-id-from", UserBase(scenario).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--packets", "60", "--batches", "2", "--interval", "1s", "--start-delay", "0s", "--audit-wait", "20s",
            "--slo", "status_5xx<1", "--slo", "dropped<=0",
        };
        if (scenario == "holiday-spike")
        {
            args.AddRange(["--base-rate", "50", "--base-duration", "1s"]);
        }
        if (scenario == "operator")
        {
            args.AddRange(["--operator-every", "10", "--issue-every", "5"]);
        }
        var output = new StringWriter();
        await OneAtATime.WaitAsync();
        try
        {
            var result = await LoadTestRunner.RunAsync(OptionParser.Parse(args), output, CancellationToken.None);

            Assert.True(result.ExitCode == LoadTestRunner.Pass, output.ToString());
            Assert.True(result.Report!.Totals.Completed > 0);
            Assert.True(File.Exists(Path.Combine(folder, "report.html")));
            if (scenario != "trivial")
            {
                Assert.True(result.Report.Audit is { Passed: true }, output.ToString());
                // The campaign sells out over its releases: some grabs won.
                Assert.Contains(result.Report.Outcomes, o => o.Outcome == "won");
            }
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
