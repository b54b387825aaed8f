using System.Text.Json;
using ElasticRedPacket.ServiceDefaults.Messaging;
using Microsoft.Playwright;
using RabbitMQ.Client;

namespace ElasticRedPacket.Webpage.Tests.Browser;

/// <summary>
/// The dashboard's live chart: outcome events published the way redpacket publishes them reach the
/// stack's monitor, its counts grow, and the page draws the rates without a reload.
/// </summary>
public sealed class MonitorChartBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task MonitorPage_OutcomeEventsArrive_ChartDrawsGrabsPerSecondByOutcome()
    {
        var issued = await StackApi.IssueAsync("Chart " + Guid.NewGuid().ToString("N")[..6], 10_000, 100, 1, 0, DateTimeOffset.UtcNow.AddHours(1));
        var page = await browser.OpenMonitorAsync();
        var errors = PagesBrowserTests.CollectErrors(page);

        await using (var connection = await new ConnectionFactory { Uri = new Uri(StackEnvironment.Current.RabbitMq) }.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true)))
        {
            for (var i = 0; i < 8; i++)
            {
                var batch = new OutcomeBatch(Guid.NewGuid(), "browser-test", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow,
                    [new OutcomeCount(issued.Id, "sold_out", 5 + i), new OutcomeCount(issued.Id, "try_again", 40 - (3 * i))]);
                await channel.BasicPublishAsync(Topology.OutcomeExchange, string.Empty, mandatory: true,
                    new BasicProperties { Persistent = true, MessageId = batch.BatchId.ToString() },
                    JsonSerializer.SerializeToUtf8Bytes(batch, MessagingJsonContext.Default.OutcomeBatch));
                await Task.Delay(500);
            }
        }

        // 5+6+...+12 = 68 sold_out and 40+37+...+19 = 236 try_again, counted exactly once each (won is the
        // ledger's count in monitor's view, so events alone cannot draw it).
        var row = page.Locator($"#campaigns tbody tr[data-campaign-id='{issued.Id}']");
        await Assertions.Expect(row.Locator("td").Nth(10)).ToHaveTextAsync("sold_out 68, try_again 236", new() { Timeout = 15_000 });
        await Task.Delay(1500); // a poll or two more, so the last rates are drawn

        Assert.True(await HasColorAsync(page, 0x6d, 0x4c, 0x41), "no 'sold out' line on the chart");
        Assert.True(await HasColorAsync(page, 0x1e, 0x88, 0xe5), "no 'try again' line on the chart");
        await BrowserFixture.ScreenshotAsync(page, "monitor-chart", fullPage: true);
        Assert.Empty(errors);
    }

    private static Task<bool> HasColorAsync(IPage page, int r, int g, int b) =>
        page.EvaluateAsync<bool>("""
            ([r, g, b]) => {
              const c = document.getElementById('chart');
              const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              for (let i = 0; i < d.length; i += 4)
                if (Math.abs(d[i] - r) < 6 && Math.abs(d[i + 1] - g) < 6 && Math.abs(d[i + 2] - b) < 6 && d[i + 3] > 200) return true;
              return false;
            }
            """, new[] { r, g, b });
}
