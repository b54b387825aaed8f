using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace ElasticRedPacket.Webpage.Tests.Browser;

/// <summary>
/// The whole flow an operator and a user see: issue a campaign with the /monitor form, log in on /,
/// grab, see the win, see it in the monitor's ledger and counts. Needs account's login and
/// redpacket's grab (docs/contracts.md).
/// </summary>
public sealed partial class GrabFlowBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task GrabPage_LogInAndGrab_WinShownAndInMonitorLedger()
    {
        var userId = 700_000_000 + Random.Shared.Next(1, 99_999_999);
        await StackApi.EnsureUserAsync(userId, "Browser user " + userId);
        var (monitor, campaignId) = await IssueOnMonitorAsync("Browser flow " + Guid.NewGuid().ToString("N")[..6]);

        var page = await browser.NewPageAsync(phone: true);
        var errors = PagesBrowserTests.CollectErrors(page);
        await page.GotoAsync("/");
        await page.FillAsync("#user-id", userId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.ClickAsync("#login");
        await Assertions.Expect(page.Locator("#display-name")).ToContainTextAsync("#" + userId);

        var card = page.Locator($"#campaigns li[data-campaign-id='{campaignId}']");
        var grab = card.Locator(".grab");
        await Assertions.Expect(grab).ToBeEnabledAsync();
        // The packets are released at once; a grab just before the consumer has them answers try_again.
        var outcome = card.Locator(".outcome");
        for (var attempt = 0; attempt < 15; attempt++)
        {
            await grab.ClickAsync();
            await Assertions.Expect(outcome).Not.ToHaveTextAsync("Grabbing...");
            if ((await outcome.GetAttributeAsync("data-outcome")) == "won")
            {
                break;
            }
            await Assertions.Expect(grab).ToBeEnabledAsync();
            await Task.Delay(1000); // slower than any per-user rate limit
        }
        await Assertions.Expect(outcome).ToHaveTextAsync(WonText());
        var wonText = await outcome.TextContentAsync();
        await BrowserFixture.ScreenshotAsync(page, "grab-won");

        // A second press: already won, and the amount is the same.
        await grab.ClickAsync();
        await Assertions.Expect(outcome).ToContainTextAsync("already won");

        var claims = await StackApi.GetAsync<StackApi.ClaimsPage>($"/api/campaigns/{campaignId}/claims");
        var claim = Assert.Single(claims.Items);
        Assert.Equal(userId, claim.UserId);
        Assert.Contains((claim.AmountCents / 100m).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), wonText);

        await monitor.BringToFrontAsync();
        var row = monitor.Locator($"#campaigns tbody tr[data-campaign-id='{campaignId}']");
        await row.Locator("td").First.ClickAsync();
        await Assertions.Expect(monitor.Locator("#winners tbody tr").First).ToContainTextAsync(userId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(row.Locator("td").Nth(5)).ToHaveTextAsync("1");
        // Outcome counts arrive from redpacket's batched events.
        await Assertions.Expect(row.Locator("td").Nth(10)).ToContainTextAsync(OutcomesText(), new() { Timeout = 20_000 });
        await BrowserFixture.ScreenshotAsync(monitor, "monitor-ledger", fullPage: true);

        // The monitor's exact counts: one win, and the press after it counted as already_won.
        var campaign = await StackApi.GetAsync<StackApi.Campaign>($"/api/campaigns/{campaignId}");
        for (var wait = 0; wait < 40 && campaign.Outcomes.GetValueOrDefault("already_won") == 0; wait++)
        {
            await Task.Delay(250); // outcome events arrive in batches
            campaign = await StackApi.GetAsync<StackApi.Campaign>($"/api/campaigns/{campaignId}");
        }
        Assert.Equal(1, campaign.Claimed);
        Assert.Equal(claim.AmountCents, campaign.AmountClaimedCents);
        Assert.Equal(1, campaign.Outcomes["won"]);
        Assert.Equal(1, campaign.Outcomes["already_won"]);
        Assert.Empty(errors);
    }

    /// <summary>Issues 5 packets of ¥10.00 in one batch due now with the /monitor form; the id comes from its result line.</summary>
    private async Task<(IPage Monitor, long CampaignId)> IssueOnMonitorAsync(string name)
    {
        var page = await browser.OpenMonitorAsync();
        await BrowserFixture.SubmitIssueFormAsync(page, name, 1_000, 5, 1, 0);
        var result = page.Locator("#issue-result");
        await Assertions.Expect(result).ToHaveTextAsync(IssuedText());
        var id = long.Parse(IssuedText().Match((await result.TextContentAsync())!).Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture);
        var row = page.Locator($"#campaigns tbody tr[data-campaign-id='{id}']");
        await Assertions.Expect(row).ToContainTextAsync(name);
        return (page, id);
    }

    [GeneratedRegex(@"^Issued campaign (?<id>\d+) \(")]
    private static partial Regex IssuedText();

    [GeneratedRegex(@"^You won ¥\d+\.\d\d!$")]
    private static partial Regex WonText();

    [GeneratedRegex(@"(^|, )won 1(,|$)")]
    private static partial Regex OutcomesText();
}
