using System.Globalization;
using Microsoft.Playwright;

namespace ElasticRedPacket.Webpage.Tests.Browser;

/// <summary>
/// The grab page's own behaviour in the browser: one request per press, and each outcome in words.
/// The page and the campaign list are real (through nginx); the browser's calls to login and grab
/// are answered by Playwright routes so every outcome can be produced on demand. The real grab path
/// end to end is GrabFlowBrowserTests.
/// </summary>
public sealed class GrabPageUiTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Grab_PressedRepeatedlyWhileInFlight_SendsOneRequest()
    {
        var grabs = 0;
        // The first grab is answered only when the test says so: on a busy machine a fixed delay could end before the
        // extra presses, and a press after the answer is a fair second grab.
        var answerFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (page, card) = await OpenLoggedInAsync(async route =>
        {
            if (Interlocked.Increment(ref grabs) == 1)
            {
                await answerFirst.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
            await route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = "application/json", Body = "{\"outcome\":\"sold_out\"}" });
        });
        var grab = card.Locator(".grab");
        await grab.ClickAsync();
        await Assertions.Expect(grab).ToBeDisabledAsync();
        await Assertions.Expect(card.Locator(".outcome")).ToHaveTextAsync("Grabbing...");
        await BrowserFixture.ScreenshotAsync(page, "grab-page-in-flight");
        // More presses while the first is in flight, also forced past the disabled state.
        await grab.ClickAsync(new LocatorClickOptions { Force = true });
        await grab.DispatchEventAsync("click");
        await Task.Delay(500); // a second request, had the page sent one, reaches the route meanwhile
        Assert.Equal(1, Volatile.Read(ref grabs));
        answerFirst.SetResult();
        await Assertions.Expect(card.Locator(".outcome")).ToContainTextAsync("None left");
        await Assertions.Expect(grab).ToBeEnabledAsync();
        Assert.Equal(1, grabs);

        await grab.ClickAsync();
        await Assertions.Expect(card.Locator(".outcome")).ToContainTextAsync("None left");
        Assert.Equal(2, grabs);
    }

    public static TheoryData<int, string, string?, string> Outcomes => new()
    {
        { 200, "{\"outcome\":\"won\",\"amountCents\":1234}", null, "You won ¥12.34!" },
        { 200, "{\"outcome\":\"already_won\",\"amountCents\":88}", null, "You already won ¥0.88 in this campaign." },
        { 200, "{\"outcome\":\"sold_out\"}", null, "None left: every packet has been taken." },
        { 200, "{\"outcome\":\"not_started\"}", null, "Not started yet: wait for the countdown." },
        { 200, "{\"outcome\":\"try_again\",\"nextReleaseAt\":\"2030-01-01T00:00:00Z\"}", "5", "None left in this release. Try again at " },
        { 429, "{\"outcome\":\"rate_limited\"}", "2", "Too fast! Wait 2 s and try again." },
        { 503, "{\"outcome\":\"shed\"}", "1", "Very busy right now: try again in a moment." },
        { 502, "<html>bad gateway</html>", null, "Something went wrong (502): try again." },
    };

    [Theory]
    [MemberData(nameof(Outcomes))]
    public async Task Grab_EachOutcome_ShownInWords(int status, string body, string? retryAfter, string words)
    {
        var (_, card) = await OpenLoggedInAsync(route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = status,
            ContentType = body.StartsWith('{') ? "application/json" : "text/html",
            Body = body,
            Headers = retryAfter is null ? null : new Dictionary<string, string> { ["Retry-After"] = retryAfter },
        }));
        await card.Locator(".grab").ClickAsync();
        await Assertions.Expect(card.Locator(".outcome")).ToContainTextAsync(words);
    }

    [Fact]
    public async Task Grab_Unauthorized_AsksToLogInAgain()
    {
        var (page, card) = await OpenLoggedInAsync(route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 401, ContentType = "application/json", Body = "{\"outcome\":\"unauthorized\"}",
        }));
        await card.Locator(".grab").ClickAsync();
        await Assertions.Expect(card.Locator(".outcome")).ToHaveTextAsync("Please log in again.");
        await Assertions.Expect(page.Locator("#login-form")).ToBeVisibleAsync();
        await Assertions.Expect(card.Locator(".grab")).ToBeDisabledAsync();
    }

    private async Task<(IPage Page, ILocator Card)> OpenLoggedInAsync(Func<IRoute, Task> onGrab)
    {
        var issued = await StackApi.IssueAsync("UI " + Guid.NewGuid().ToString("N")[..6], 1_000, 10, 1, 0, DateTimeOffset.UtcNow.AddMinutes(5));
        var page = await browser.NewPageAsync(phone: true);
        var expires = DateTimeOffset.UtcNow.AddHours(1).ToString("O", CultureInfo.InvariantCulture);
        await page.RouteAsync("**/api/accounts/login", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 200,
            ContentType = "application/json",
            Body = $"{{\"token\":\"ui-test-token\",\"userId\":42,\"displayName\":\"Ann\",\"expiresAt\":\"{expires}\"}}",
        }));
        await page.RouteAsync("**/api/grab", onGrab);
        await page.GotoAsync("/");
        await page.FillAsync("#user-id", "42");
        await page.ClickAsync("#login");
        await Assertions.Expect(page.Locator("#display-name")).ToHaveTextAsync("Ann (#42)");
        var card = page.Locator($"#campaigns li[data-campaign-id='{issued.Id}']");
        await Assertions.Expect(card.Locator(".grab")).ToBeEnabledAsync();
        return (page, card);
    }
}
