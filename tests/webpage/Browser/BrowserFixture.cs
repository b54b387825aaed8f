using Microsoft.Playwright;

namespace ElasticRedPacket.Webpage.Tests.Browser;

/// <summary>
/// Debian's headless chromium driven by Playwright (no browser download: ExecutablePath), shared by
/// a test class. Screenshots go to $ERP_ARTIFACTS, or test-results/screenshots in the stack's data folder.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public static string ScreenshotDir
    {
        get
        {
            var dir = Environment.GetEnvironmentVariable("ERP_ARTIFACTS") is { Length: > 0 } artifacts
                ? artifacts
                : Path.Combine(StackEnvironment.Current.DataDir, "test-results", "screenshots");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    public static Uri BaseUrl => StackEnvironment.Current.NginxUrl;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A fresh context (own sessionStorage) sized like a phone or a desktop.</summary>
    public async Task<IPage> NewPageAsync(bool phone)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl.ToString(),
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1366, Height = 900 },
            IsMobile = phone,
            HasTouch = phone,
            DeviceScaleFactor = 1,
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        return page;
    }

    /// <summary>/monitor on a desktop-sized page, the operator key entered and accepted.</summary>
    public async Task<IPage> OpenMonitorAsync()
    {
        var page = await NewPageAsync(phone: false);
        await page.GotoAsync("/monitor");
        await page.FillAsync("#operator-key", StackEnvironment.Current.OperatorKey);
        await page.ClickAsync("#save-key");
        await Assertions.Expect(page.Locator("#key-status")).ToHaveTextAsync("connected");
        return page;
    }

    /// <summary>Fills the /monitor page's issue form and submits it (the result shows in #issue-result).</summary>
    public static async Task SubmitIssueFormAsync(IPage page, string name, long totalCents, int packets, int batches, int intervalSeconds)
    {
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        await page.FillAsync("#issue-form [name=name]", name);
        await page.FillAsync("#issue-form [name=totalCents]", totalCents.ToString(culture));
        await page.FillAsync("#issue-form [name=packetCount]", packets.ToString(culture));
        await page.FillAsync("#issue-form [name=batchCount]", batches.ToString(culture));
        await page.FillAsync("#issue-form [name=intervalSeconds]", intervalSeconds.ToString(culture));
        await page.ClickAsync("#issue");
    }

    /// <summary>Saves the page as name.png: what the screen shows, or the whole page when <paramref name="fullPage"/>.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name, bool fullPage = false)
    {
        var path = Path.Combine(ScreenshotDir, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
        return path;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
    }
}
