using System.Text.Json;
using ElasticRedPacket.LoadTests.Audit;
using ElasticRedPacket.LoadTests.Metrics;
using ElasticRedPacket.LoadTests.Report;
using ElasticRedPacket.LoadTests.Slo;

namespace ElasticRedPacket.LoadTests.Tests;

public sealed class ReportTests
{
    private static RunReport SampleReport()
    {
        var outcomes = new OutcomeSet(["won", "sold_out"]);
        var stats = new RunStats(outcomes);
        var start = Stopwatch.GetTimestamp();
        stats.StartMeasuring(start);
        for (var i = 0; i < 3000; i++)
        {
            var intended = start + (i * Stopwatch.Frequency / 1000);
            stats.Record(new Sample(i % 10 == 0 ? 0 : 1, 200, 16, 40), intended, intended + (Stopwatch.Frequency / 500));
        }
        stats.RecordDropped(start);
        var audit = new AuditReport(7, "test", [new AuditCheck("one win per user (2)", true, "300 distinct winners")]);
        var slo = SloEvaluator.Evaluate([SloParser.Parse("p99<50ms")], stats, TimeSpan.FromSeconds(3));
        return ReportBuilder.Build("grab-peak", "a test <run>", "grab-peak --rate 1000", DateTimeOffset.UtcNow, "http://127.0.0.1:1/", ["inject 1000/s for 3s"],
            TimeSpan.FromSeconds(3), stats, [new ProcessReport("redpacket-0", "service", 42, 180.5, 3.2, 106.7)], slo, audit, "PASS", 0,
            new MachineReport(2, 1.62, 1.95, 0.01), machineSeconds: new Dictionary<int, MachineSecond> { [1] = new(1.8, 0.4) });
    }

    [Fact]
    public void Build_RecordedRun_TotalsTimelineAndOutcomes()
    {
        var report = SampleReport();
        Assert.Equal(3000, report.Totals.Completed);
        Assert.Equal(3001, report.Totals.Requests);
        Assert.Equal(1, report.Totals.Dropped);
        Assert.Equal(3000 * 40, report.Totals.BytesReceived);
        // Three measured seconds; the last answers (2 ms after their start) complete in a fourth.
        Assert.Equal(4, report.Timeline.Count);
        Assert.All(report.Timeline.Take(3), s => Assert.InRange(s.Started, 1000, 1001));
        Assert.Equal(3000, report.Timeline.Sum(s => s.Completed));
        Assert.Equal(0, report.Timeline[3].Started);
        Assert.Equal((1.8, 0.4), (report.Timeline[1].BusyCores, report.Timeline[1].StolenCores));
        Assert.Null(report.Timeline[0].StolenCores);
        Assert.Equal(300, report.Outcomes.Single(o => o.Outcome == "won").Count);
        Assert.Equal(2, report.Latency.P50, 1);
    }

    [Fact]
    public void Write_Report_WritesJsonMarkdownAndSelfContainedHtml()
    {
        var folder = Path.Combine(Path.GetTempPath(), "erp-report-" + Guid.NewGuid().ToString("N"));
        try
        {
            var files = ReportWriter.Write(SampleReport(), folder);

            Assert.Equal(3, files.Count);
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json")));
            Assert.Equal("grab-peak", json.RootElement.GetProperty("scenario").GetString());
            Assert.Equal(4, json.RootElement.GetProperty("timeline").GetArrayLength());
            Assert.True(json.RootElement.GetProperty("audit").GetProperty("passed").GetBoolean());
            var markdown = File.ReadAllText(Path.Combine(folder, "report.md"));
            Assert.Contains("| p99<50ms |", markdown.Replace("`", "", StringComparison.Ordinal), StringComparison.Ordinal);
            var html = File.ReadAllText(Path.Combine(folder, "report.html"));
            Assert.Contains("<svg", html, StringComparison.Ordinal);
            Assert.Contains("<polyline", html, StringComparison.Ordinal);
            Assert.Contains("Outcomes per second", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal).Replace("http://127.0.0.1:1/", "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.Contains("a test &lt;run&gt;", html, StringComparison.Ordinal);
            Assert.Contains("| redpacket-0 | service | 42 | 180.5 |", markdown, StringComparison.Ordinal);
            Assert.Contains("machine (2 cores, every process): 1.62 busy on average, 1.95 in the busiest second", markdown, StringComparison.Ordinal);
            Assert.Contains("1.95 in the busiest second", html, StringComparison.Ordinal);
            Assert.Contains("| 1.80 | 0.40 |", markdown, StringComparison.Ordinal); // second 1: busy and stolen cores
            Assert.Contains("The machine per second", html, StringComparison.Ordinal);
            Assert.Equal(1.95, json.RootElement.GetProperty("machine").GetProperty("busiestSecondCores").GetDouble());
            // Second 1 lost 0.40 cores to the hypervisor: all three formats say so under the machine line.
            const string Caution = "caution: the hypervisor stole 0.10 cores or more in 1 of 1 measured seconds (up to 0.40)";
            Assert.StartsWith(Caution, json.RootElement.GetProperty("machineCaution").GetString(), StringComparison.Ordinal);
            Assert.Contains("**" + Caution, markdown, StringComparison.Ordinal);
            Assert.Contains("<strong>" + Caution, html, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
