using KafkaMigrationPortal.TestSupport;
using Microsoft.Playwright;

namespace KafkaMigrationPortal.EndToEnd.Tests;

/// <summary>
/// One portal process and one headless Debian Chromium shared by every end-to-end test. Alice signs in first, as the
/// fixture starts, so she is the portal's first user and therefore its admin whatever order the tests run in. The
/// tests share the process, not their data: each seeds what it reads (its own sandbox app, its own audit entries) and
/// sets the roles it relies on, so neither their order nor a re-run changes what they see.
/// </summary>
public sealed class PortalSession : IAsyncLifetime
{
    public const string Alice = "alice@example.com";
    public const string Bob = "bob@example.com";
    public const string Carol = "carol@example.com";

    public static readonly ViewportSize Wide = new() { Width = 1280, Height = 800 };
    public static readonly ViewportSize Narrow = new() { Width = 390, Height = 844 };

    private IPlaywright? playwright;

    public PortalProcess Portal { get; private set; } = null!;

    /// <summary>The portal's database, where a test sets the roles it relies on.</summary>
    public PortalDatabase Database { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Alice's signed-in cookies, for new contexts that start signed in as her.</summary>
    public string AliceState { get; private set; } = "";

    /// <summary>Debian's chromium (test.sh installs it); KMP_CHROMIUM overrides. Never a browser Playwright downloads.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("KMP_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>
    /// Beside the test binaries, so a test run leaves the work tree clean; <c>KMP_SCREENSHOTS=docs/screenshots</c>
    /// (relative to the repository) refreshes the README's pictures.
    /// </summary>
    public static string ScreenshotDirectory => Environment.GetEnvironmentVariable("KMP_SCREENSHOTS") is { Length: > 0 } dir
        ? Path.GetFullPath(Path.Combine(RepositoryPaths.Root, dir))
        : Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"No Chromium at {ChromiumPath}: run ./test.sh (it installs Debian's chromium) or set KMP_CHROMIUM.");
        }

        // Assertions wait as long as actions do (Playwright's default is 5 s), for a loaded 2-core machine.
        Assertions.SetDefaultExpectTimeout(15_000);
        Portal = await PortalProcess.StartAsync();
        Database = new PortalDatabase(Portal.DatabasePath);
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
        });

        await using var alice = await NewContextAsync(Wide);
        var page = await alice.NewPageAsync();
        await SignInAsync(page, Alice, "migrations");
        // Sign-in asked only for her identity: the wizard offers the wider grant a migration needs, as on Heroku.
        await OpenAsync(page, "migrations/new");
        await GrantAsync(page, "migrations/new");
        AliceState = await alice.StorageStateAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        playwright?.Dispose();
        if (Portal is not null) await Portal.DisposeAsync();
    }

    public async Task<IBrowserContext> NewContextAsync(ViewportSize viewport, string? storageState = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Portal.BaseUrl.ToString(),
            ViewportSize = viewport,
            StorageState = storageState,
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(15_000);
        return context;
    }

    public string Url(string relative) => new Uri(Portal.BaseUrl, relative).ToString();

    /// <summary>Goes to a page while signed out, follows the portal to its sign-in page and the sandbox's (served under the
    /// portal's own origin, as a visitor of a deployed demo reaches it), picks the user.</summary>
    public async Task SignInAsync(IPage page, string email, string returnTo)
    {
        await page.GotoAsync(Url(returnTo));
        await page.WaitForURLAsync(url => url.Contains("/signin", StringComparison.Ordinal));
        await page.GetByTestId("sign-in").ClickAsync();
        await page.WaitForURLAsync(url => url.StartsWith(Url("sandbox-signin/authorize"), StringComparison.Ordinal));
        // The click waits for the navigation it starts: a chain (form post, token exchange, two redirects, the page's
        // load) that a loaded machine can take longer than the default 15 s over.
        await page.Locator($"button[name=user][value='{email}']").ClickAsync(new() { Timeout = 60_000 });
        await page.WaitForURLAsync(url => url.StartsWith(Url(returnTo), StringComparison.Ordinal), new() { Timeout = 60_000 });
        await WaitForCircuitAsync(page);
    }

    /// <summary>Clicks the page's grant prompt: the sandbox, told who is signed in, asks nothing more and sends them back.</summary>
    public async Task GrantAsync(IPage page, string returnTo)
    {
        await page.GetByTestId("grant-scope").ClickAsync(new() { Timeout = 60_000 });
        await page.WaitForURLAsync(url => url.StartsWith(Url(returnTo), StringComparison.Ordinal), new() { Timeout = 60_000 });
        await WaitForCircuitAsync(page);
        await Assertions.Expect(page.GetByTestId("grant-needed")).ToHaveCountAsync(0);
    }

    /// <summary>
    /// Pages are prerendered, then become interactive once the Blazor circuit connects; a click before that is lost.
    /// The layout carries <c>data-circuit="ready"</c> only when it rendered over the circuit (MainLayout.razor). A page
    /// navigated to inside the app keeps the same circuit (and layout); <c>GotoAsync</c> loads a new document, which has
    /// no marker until its own circuit connects.
    /// </summary>
    public static async Task WaitForCircuitAsync(IPage page) =>
        await Assertions.Expect(page.Locator("[data-circuit=ready]")).ToBeAttachedAsync(new() { Timeout = 30_000 });

    /// <summary>Loads a page of the portal as a new document and waits until it answers clicks.</summary>
    public async Task OpenAsync(IPage page, string relative)
    {
        await page.GotoAsync(Url(relative));
        await WaitForCircuitAsync(page);
    }

    public async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = false });
    }
}

[CollectionDefinition(Name)]
public sealed class PortalSessionCollection : ICollectionFixture<PortalSession>
{
    public const string Name = "portal in a browser";
}
