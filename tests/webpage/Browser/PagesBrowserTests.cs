using Microsoft.Playwright;

namespace ElasticRedPacket.Webpage.Tests.Browser;

/// <summary>Both pages in headless Chromium through the stack's ingress (nginx), as users reach them.</summary>
public sealed class PagesBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task MonitorPage_IssueWithForm_CampaignListedAndChartDrawn()
    {
        var page = await browser.OpenMonitorAsync();
        var errors = CollectErrors(page);

        var name = "Browser issue " + Guid.NewGuid().ToString("N")[..8];
        await BrowserFixture.SubmitIssueFormAsync(page, name, 88_800, 88, 4, 30);
        await Assertions.Expect(page.Locator("#issue-result")).ToContainTextAsync("Issued campaign");

        var row = page.Locator("#campaigns tbody tr", new PageLocatorOptions { HasText = name });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.Locator("td").Nth(3)).ToHaveTextAsync("88");
        // The first batch (22 packets) goes out at once: the row updates by itself, no reload.
        await Assertions.Expect(row.Locator("td").Nth(4)).ToHaveTextAsync("22");

        // A wrong form is refused with the server's reasons, shown in the page.
        await page.FillAsync("#issue-form [name=batchCount]", "100");
        await page.ClickAsync("#issue");
        await Assertions.Expect(page.Locator("#issue-result")).ToContainTextAsync("Batch count must not exceed packet count");

        await BrowserFixture.ScreenshotAsync(page, "monitor-issued", fullPage: true);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task GrabPage_PhoneSized_RendersLoginFormAndActiveCampaignWithCountdown()
    {
        var issued = await StackApi.IssueAsync("Browser grab page " + Guid.NewGuid().ToString("N")[..6], 66_600, 66, 3, 600, DateTimeOffset.UtcNow.AddMinutes(10));
        var page = await browser.NewPageAsync(phone: true);
        var errors = CollectErrors(page);
        await page.GotoAsync("/");

        await Assertions.Expect(page.Locator("#login-form")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#user-id")).ToBeVisibleAsync();
        var card = page.Locator($"#campaigns li[data-campaign-id='{issued.Id}']");
        await Assertions.Expect(card.Locator(".name")).ToHaveTextAsync(issued.Name);
        await Assertions.Expect(card.Locator(".remaining")).ToHaveTextAsync("66 of 66 left.");
        await Assertions.Expect(card.Locator(".countdown")).ToContainTextAsync("Next release in");
        // Not logged in: Grab cannot be pressed.
        await Assertions.Expect(card.Locator(".grab")).ToBeDisabledAsync();

        await BrowserFixture.ScreenshotAsync(page, "grab-page");

        // The layout fits the phone: nothing wider than the viewport.
        var widest = await page.EvaluateAsync<string>(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 390).map(e => e.tagName + '#' + e.id + '.' + e.className).join(' ')");
        var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= 390, $"page is {scrollWidth}px wide on a 390px screen: {widest}");
        Assert.Empty(errors);
    }

    /// <summary>Script errors and CSP violations on the page fail the test.</summary>
    internal static List<string> CollectErrors(IPage page)
    {
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                errors.Add(message.Text);
            }
        };
        return errors;
    }
}
