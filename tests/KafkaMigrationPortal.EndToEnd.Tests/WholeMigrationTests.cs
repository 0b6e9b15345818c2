using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.TestSupport;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace KafkaMigrationPortal.EndToEnd.Tests;

/// <summary>
/// The whole product in a browser, with the portal's own defaults for the sandbox (nothing shortened for the test):
/// alice plans and starts three migrations of fresh copies of the sandbox's demo app in the wizard, at the same time:
/// double-write to another multi-tenant plan, double-write to a dedicated plan, and mirror to a dedicated plan; she
/// watches each on its run page (the mirror's copy per topic while it copies); bob, made an approver by alice, approves
/// every gate from his own browser contexts; the sandbox's ledger then proves that no message was lost on the way, and
/// none replayed beyond what a double write's consumer switch itself re-delivers: the mirror, which carries every
/// group's position exactly, delivers nothing twice.
/// </summary>
[Collection(PortalSessionCollection.Name)]
public sealed partial class WholeMigrationTests(PortalSession session, ITestOutputHelper output) : IDisposable
{
    /// <summary>The demo's promise: about five minutes from Start with the sandbox's defaults; all three runs within ten.</summary>
    private static readonly TimeSpan RunDeadline = TimeSpan.FromMinutes(10);

    /// <summary>How the run page shows a run that will not go on by itself.</summary>
    private const string Stopped =
        "[data-testid=run-status]:is([data-status=Failed],[data-status=Paused],[data-status=Aborted],[data-status=RolledBack]),"
        + "[data-step-status=NeedsHumanConfirmation]";

    private readonly HttpClient heroku = SandboxClient(session.Portal.SandboxUrl);
    private DateTime runDeadline = DateTime.MaxValue;
    private readonly System.Collections.Concurrent.ConcurrentQueue<IReadOnlyCollection<string>> complaints = new();

    public void Dispose() => heroku.Dispose();

    [Fact]
    public async Task Two_users_run_the_demo_by_double_write_to_basic_and_to_dedicated_and_by_mirror_to_dedicated_with_the_portals_defaults_losing_no_message_and_replaying_no_history()
    {
        var logFrom = session.Portal.Output.Length;
        await using var bobContext = await session.NewContextAsync(PortalSession.Wide);
        var bob = await bobContext.NewPageAsync();
        complaints.Enqueue(BrowserComplaints.Watch(bob));
        await session.SignInAsync(bob, PortalSession.Bob, "approvals");
        await session.Database.SetRolesAsync(PortalSession.Bob, TeamRole.Viewer);
        await session.Database.SetRolesAsync(PortalSession.Alice, [.. TeamRole.All]);
        await session.OpenAsync(bob, "approvals");
        await Expect(bob.GetByTestId("not-an-approver")).ToBeVisibleAsync();

        await using var aliceContext = await session.NewContextAsync(PortalSession.Wide, session.AliceState);
        var alice = await aliceContext.NewPageAsync();
        complaints.Enqueue(BrowserComplaints.Watch(alice));
        await GrantApproverToBobAsync(alice);
        await session.OpenAsync(bob, "approvals");
        // An approver's decisions read the app with his own grant, which sign-in made identity-only.
        await session.GrantAsync(bob, "approvals");
        await Expect(bob.GetByTestId("not-an-approver")).ToBeHiddenAsync();
        var bobState = await bobContext.StorageStateAsync();

        runDeadline = DateTime.UtcNow + RunDeadline;
        await Task.WhenAll(
            MigrateTheDemoAsync("heroku-kafka:basic-1", MigrationStrategy.DoubleWrite, bobState, screenshots: true),
            MigrateTheDemoAsync("heroku-kafka:standard-0", MigrationStrategy.DoubleWrite, bobState, screenshots: false),
            MigrateTheDemoAsync("heroku-kafka:standard-0", MigrationStrategy.Mirror, bobState, screenshots: false));

        // A normal demo leaves nothing for a developer to worry about: in any browser's console, or the portal's log.
        Assert.All(complaints, Assert.Empty);
        var logged = session.Portal.Output[logFrom..].Split('\n');
        Assert.Empty(logged.Where(line => line.StartsWith("warn:", StringComparison.Ordinal) || line.StartsWith("fail:", StringComparison.Ordinal)));
    }

    /// <summary>One demo migration to <paramref name="targetPlan"/> by <paramref name="strategy"/>, from the wizard to the destroyed old add-on, in its own pages.</summary>
    private async Task MigrateTheDemoAsync(string targetPlan, MigrationStrategy strategy, string bobState, bool screenshots)
    {
        var mirror = strategy == MigrationStrategy.Mirror;
        var what = $"{strategy} to {targetPlan}";
        var app = await CreateDemoAppAsync();
        var oldAddon = await AddonAttachedAsAsync(app, "KAFKA");
        var oldAddonId = await AddonAttachedAsAsync(app, "KAFKA", "id");
        await using var aliceContext = await session.NewContextAsync(PortalSession.Wide, session.AliceState);
        var alice = await aliceContext.NewPageAsync();
        complaints.Enqueue(BrowserComplaints.Watch(alice));
        await using var bobContext = await session.NewContextAsync(PortalSession.Wide, bobState);
        var bob = await bobContext.NewPageAsync();
        complaints.Enqueue(BrowserComplaints.Watch(bob));

        var runId = await StartInTheWizardAsync(alice, app, oldAddon, targetPlan, strategy, screenshots);
        var sinceStart = System.Diagnostics.Stopwatch.StartNew();

        // From here on alice's page is never navigated: whatever changes on it arrives over the circuit.
        await Expect(alice.GetByTestId("run-status")).ToBeVisibleAsync();
        await alice.EvaluateAsync("() => { window.__kmpMarker = 1; }");
        var runUrl = alice.Url;
        var stepCount = await alice.Locator("[data-testid^='step-row-']").CountAsync();
        Assert.True(stepCount >= 10, $"a {strategy} plan has many steps, the timeline shows {stepCount}");
        var lastStep = alice.GetByTestId($"step-row-{stepCount - 1}");
        Assert.NotEqual("Done", await lastStep.GetAttributeAsync("data-step-status"));
        var seenTimelines = new HashSet<string> { await TimelineAsync(alice) };

        if (mirror)
        {
            // Before the cutover gate is approved the mirror copies the live traffic, and the open page's Kafka panel
            // (read every 15 s) shows all three topics with records copied and partitions being copied.
            var beingCopied = alice.Locator("[data-testid^='mirror-topic-']:not([data-copying='0']):not([data-copied='0'])");
            await UntilTheRunPageShowsAsync(alice, beingCopied.Nth(2), $"{what}: the mirror copies every topic");
            await Expect(alice.Locator("[data-testid^='mirror-topic-']")).ToHaveCountAsync(3);
        }
        else
        {
            // A durable wait (at the latest, the retention wait) comes before the first gate, and the open page shows it.
            await UntilTheRunPageShowsAsync(alice, alice.Locator("[data-step-status='Waiting']").First, what);
        }
        seenTimelines.Add(await TimelineAsync(alice));
        if (screenshots) await session.ScreenshotAsync(alice, "run-timeline");

        var approvals = await ApproveEveryGateAsBobAsync(bob, alice, app, runId, oldAddon, seenTimelines, screenshots);

        await Expect(alice.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "Succeeded");
        output.WriteLine($"{what}: Succeeded {sinceStart.Elapsed:m\\:ss} after Start");
        seenTimelines.Add(await TimelineAsync(alice));
        if (screenshots) await session.ScreenshotAsync(alice, "run-succeeded");

        Assert.Equal(runUrl, alice.Url);
        Assert.Equal(1, await alice.EvaluateAsync<int>("() => window.__kmpMarker ?? 0"));
        await Expect(lastStep).ToHaveAttributeAsync("data-step-status", "Done");
        Assert.True(seenTimelines.Count >= 4, $"the open run page showed only {seenTimelines.Count} distinct timelines");
        // Double write: consumer switch, producer cutover, destroying the old add-on. Mirror: the cutover, the destroy.
        Assert.Equal(mirror ? 2 : 3, approvals.Count);
        Assert.Contains(approvals, a => a.Title.Contains(oldAddon, StringComparison.Ordinal) || a.Title.Contains("estroy", StringComparison.Ordinal));

        // Heroku now: KAFKA is a new add-on of the plan chosen, the old one is gone.
        var newAddon = await AddonAttachedAsAsync(app, "KAFKA");
        var newAddonId = await AddonAttachedAsAsync(app, "KAFKA", "id");
        Assert.NotEqual(oldAddon, newAddon);
        var addons = await GetJsonAsync($"apps/{app}/addons");
        var names = addons.EnumerateArray().Select(a => a.GetProperty("name").GetString()).ToList();
        Assert.DoesNotContain(oldAddon, names);
        var plan = addons.EnumerateArray().Single(a => a.GetProperty("name").GetString() == newAddon).GetProperty("plan").GetProperty("name").GetString();
        Assert.Equal(targetPlan, plan);

        // Stop producing, let the consumers drain, then every message ever produced must have been consumed.
        using var scale = new HttpRequestMessage(HttpMethod.Patch, $"apps/{app}/formation")
        {
            Content = new StringContent("""{"updates":[{"type":"producer","quantity":0}]}""", Encoding.UTF8, "application/json"),
        };
        (await heroku.SendAsync(scale)).EnsureSuccessStatusCode();
        var ledger = await Deadline.PollAsync(
            () => GetJsonAsync($"_sandbox/ledger/{app}"),
            report => report.GetProperty("topics").EnumerateArray().All(t => t.GetProperty("missing_count").GetInt32() == 0),
            TimeSpan.FromSeconds(60), $"every message produced during the migration ({what}) is consumed");
        var topics = ledger.GetProperty("topics").EnumerateArray().ToList();
        Assert.Equal(3, topics.Count);
        Assert.All(topics, t => Assert.True(t.GetProperty("produced").GetInt32() > 50, $"{t.GetProperty("topic")}: too little traffic to prove anything"));
        var groups = topics.SelectMany(t => t.GetProperty("groups").EnumerateArray()).ToList();
        Assert.NotEmpty(groups);
        if (mirror)
        {
            // The app wrote to the old add-on, then to the new one; consumers resumed exactly where they stopped, on the
            // new add-on's copies: no group was handed a message twice.
            Assert.All(topics, t => Assert.All(new[] { oldAddonId, newAddonId }, id =>
                Assert.True(t.GetProperty("produced_per_cluster").TryGetProperty(id, out var n) && n.GetInt32() > 0, $"{what}: {t.GetProperty("topic")} was not written to add-on {id}: {t}")));
            Assert.All(groups, g => Assert.True(g.GetProperty("duplicate_deliveries").GetInt32() == 0,
                $"{what}: {g.GetProperty("consumer_group")} was handed {g.GetProperty("duplicate_deliveries")} messages again: {ledger}"));
            return;
        }

        // Nor handled twice beyond the switch itself: each group re-handles at most what was written from bob's approval
        // of the consumer switch until the next gate opened (once the consumers had caught up on the new add-on), not
        // the new add-on's retained history.
        var written = approvals[1].ProducedWhenShown - approvals[0].ProducedAtApproval;
        var repeated = groups
            .GroupBy(g => g.GetProperty("consumer_group").GetString()!)
            .ToDictionary(g => g.Key, g => g.Sum(x => x.GetProperty("repeated_handlings").GetInt32()));
        Assert.All(repeated, g => Assert.True(g.Value <= written, $"{what}: {g.Key} handled {g.Value} messages again; {written} were written while the switch rolled out"));
    }

    /// <summary>A copy of the demo app for this test alone: migrating it changes nothing another test (or a re-run) reads.</summary>
    private async Task<string> CreateDemoAppAsync()
    {
        var name = $"mackerel-{Guid.NewGuid():N}"[..17];
        using var created = await heroku.PostAsJsonAsync("_sandbox/demo-apps", new { name });
        Assert.True(created.IsSuccessStatusCode, $"POST _sandbox/demo-apps: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
        return name;
    }

    private async Task GrantApproverToBobAsync(IPage alice)
    {
        await session.OpenAsync(alice, "settings");
        var box = alice.GetByLabel($"approver for {PortalSession.Bob}");
        await Expect(box).Not.ToBeCheckedAsync();

        await box.ClickAsync();

        await Expect(alice.GetByTestId("roles-message")).ToContainTextAsync($"{PortalSession.Bob}: {TeamRole.Viewer}, {TeamRole.Approver}");
        await Expect(box).ToBeCheckedAsync();
    }

    private async Task<Guid> StartInTheWizardAsync(IPage alice, string app, string oldAddon, string targetPlan, MigrationStrategy strategy, bool screenshots)
    {
        await session.OpenAsync(alice, "migrations/new");

        await alice.GetByTestId("wizard-app").FillAsync(app);
        await alice.GetByTestId("wizard-next").ClickAsync();

        await Expect(alice.GetByTestId("wizard-source-details")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(alice.GetByTestId("wizard-source-KAFKA")).ToBeCheckedAsync();
        await Expect(alice.GetByTestId("wizard-producer-producer")).ToBeCheckedAsync();
        await Expect(alice.GetByTestId("wizard-consumer-consumer")).ToBeCheckedAsync();
        await Expect(alice.GetByTestId("wizard-producer-web")).Not.ToBeCheckedAsync();

        await alice.GetByTestId("wizard-next").ClickAsync();
        var tier = alice.GetByTestId($"wizard-target-plan-{targetPlan["heroku-kafka:".Length..]}");
        await tier.ClickAsync();
        await alice.GetByTestId($"wizard-strategy-{strategy}").ClickAsync();
        await Expect(tier).ToBeCheckedAsync();
        await alice.GetByTestId("wizard-next").ClickAsync();

        await Expect(alice.GetByTestId("plan-step-0")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(alice.GetByTestId("wizard-refusal")).ToHaveCountAsync(0);
        var cli = string.Join("\n", await alice.Locator("[data-testid^='plan-step-cli-']").AllTextContentsAsync());
        Assert.Contains($"heroku addons:create {targetPlan}", cli);
        await Expect(alice.Locator("[data-testid^='plan-step-'][data-point-of-no-return='true']")).ToHaveCountAsync(1);
        if (screenshots) await session.ScreenshotAsync(alice, "wizard-review");

        // The wizard only read: up to Start, nothing on Heroku changed (after it the run's first steps move KAFKA at once).
        Assert.Equal(oldAddon, await AddonAttachedAsAsync(app, "KAFKA"));
        await alice.GetByTestId("wizard-start").ClickAsync();
        await Expect(alice).ToHaveURLAsync(RunUrl(), new() { Timeout = 30_000 });
        return Guid.Parse(RunUrl().Match(alice.Url).Groups["id"].Value);
    }

    /// <param name="ProducedWhenShown">Messages the app had written when alice's page first showed the gate waiting.</param>
    /// <param name="ProducedAtApproval">… and just before bob's accepted approval.</param>
    private sealed record ApprovedGate(string Title, long ProducedWhenShown, long ProducedAtApproval);

    /// <summary>
    /// Each time alice's run page shows a step awaiting approval, bob opens his inbox, finds that gate there and
    /// approves it, typing the old add-on's name when approval destroys it. Returns the steps approved, in order.
    /// </summary>
    private async Task<List<ApprovedGate>> ApproveEveryGateAsBobAsync(IPage bob, IPage alice, string app, Guid runId, string oldAddon, HashSet<string> seenTimelines, bool screenshots)
    {
        var approved = new List<ApprovedGate>();
        var shownAt = new Dictionary<int, long>();
        var refusals = new List<string>();
        var awaiting = alice.Locator("[data-testid^='step-row-'][data-step-status='AwaitingApproval']");
        var succeeded = alice.Locator("[data-testid=run-status][data-status=Succeeded]");
        while (true)
        {
            await UntilTheRunPageShowsAsync(alice, awaiting.Or(succeeded).First, $"{app}: approved so far: {approved.Count}; refused: {string.Join(" | ", refusals)}");
            seenTimelines.Add(await TimelineAsync(alice));
            if (await succeeded.CountAsync() > 0) return approved;

            // The inbox changes only when bob acts; a new document lists the gates once, as they are now.
            var sequence = int.Parse((await awaiting.GetAttributeAsync("data-testid"))!["step-row-".Length..]);
            if (!shownAt.ContainsKey(sequence)) shownAt[sequence] = await ProducedAsync(app);
            await session.OpenAsync(bob, "approvals");
            var gate = bob.GetByTestId($"approval-{runId}").Filter(new() { Has = bob.GetByTestId($"gate-{sequence}") });
            await Expect(gate).ToBeVisibleAsync();
            var title = (await gate.GetByTestId("approval-run-link").Locator("xpath=..").TextContentAsync())?.Trim() ?? "";
            if (screenshots && approved.Count == 0 && refusals.Count == 0) await session.ScreenshotAsync(bob, "approvals-gate");

            await gate.GetByTestId("approve-button").ClickAsync();
            var confirm = bob.GetByTestId("decision-confirm");
            await Expect(confirm).ToBeVisibleAsync();
            var typedName = bob.GetByTestId("decision-typed-name");
            if (await typedName.CountAsync() > 0)
            {
                await Expect(confirm).ToBeDisabledAsync();
                await typedName.FillAsync(oldAddon);
                await Expect(confirm).ToBeEnabledAsync();
            }

            await bob.GetByTestId("decision-comment").FillAsync($"approved by bob in the end-to-end test ({approved.Count + refusals.Count + 1})");
            var producedAtApproval = await ProducedAsync(app);
            await confirm.ClickAsync();
            await Expect(confirm).ToBeHiddenAsync();

            // Approved, the gate leaves the inbox; refused (the live checks failed at that moment, or the run was busy),
            // it stays with the reason, and bob decides again: a refusal is the portal's answer, not a lost click.
            var refusal = gate.GetByTestId("decision-result");
            var gone = bob.Locator($"body:not(:has([data-testid='gate-{sequence}']))");
            await Expect(refusal.Or(gone)).ToBeAttachedAsync(new() { Timeout = 30_000 });
            if (await gone.CountAsync() > 0)
            {
                approved.Add(new ApprovedGate(title, shownAt[sequence], producedAtApproval));
                await Expect(alice.GetByTestId($"step-row-{sequence}")).Not.ToHaveAttributeAsync("data-step-status", "AwaitingApproval", new() { Timeout = 30_000 });
            }
            else
            {
                refusals.Add(await refusal.TextContentAsync() ?? "");
            }
        }
    }

    /// <summary>Waits for <paramref name="shown"/> on alice's live run page; a run that stops on the way fails the test at once, with why.</summary>
    private async Task UntilTheRunPageShowsAsync(IPage alice, ILocator shown, string? context = null)
    {
        var stopped = alice.Locator(Stopped);
        try
        {
            await Expect(shown.Or(stopped).First).ToBeVisibleAsync(new() { Timeout = (float)Math.Max(1_000, (runDeadline - DateTime.UtcNow).TotalMilliseconds) });
        }
        catch (PlaywrightException e)
        {
            throw new TimeoutException($"The run did not get on within {RunDeadline} ({context}); its timeline: {await TimelineAsync(alice)}\n{e.Message}\n{session.Portal.RecentOutput}");
        }

        if (await stopped.CountAsync() > 0)
        {
            var reason = string.Join(" ", await alice.GetByTestId("run-last-error").AllTextContentsAsync());
            Assert.Fail($"the run stopped: {reason} ({context}); its timeline: {await TimelineAsync(alice)}");
        }
    }

    /// <summary>Every step's state as the open page shows it, in order.</summary>
    private static async Task<string> TimelineAsync(IPage page) =>
        string.Join(",", await page.Locator("[data-testid^='step-row-']").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.stepStatus)"));

    private async Task<long> ProducedAsync(string app) =>
        (await GetJsonAsync($"_sandbox/ledger/{app}?maxMissingIds=0")).GetProperty("topics").EnumerateArray().Sum(t => (long)t.GetProperty("produced").GetInt32());

    /// <summary>The name (or <paramref name="property"/>) of the add-on <paramref name="app"/> has attached as <paramref name="attachment"/>.</summary>
    private async Task<string> AddonAttachedAsAsync(string app, string attachment, string property = "name")
    {
        var attachments = await GetJsonAsync($"apps/{app}/addon-attachments");
        return attachments.EnumerateArray().Single(a => a.GetProperty("name").GetString() == attachment).GetProperty("addon").GetProperty(property).GetString()!;
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await heroku.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The sandbox's Platform API as alice (the owner of the demo apps), with Heroku's versioned Accept header.</summary>
    private static HttpClient SandboxClient(Uri sandbox)
    {
        var client = new HttpClient { BaseAddress = sandbox, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sandbox-token-alice");
        client.DefaultRequestHeaders.Accept.ParseAdd("application/vnd.heroku+json; version=3");
        return client;
    }

    [GeneratedRegex(@"/migrations/(?<id>[0-9a-fA-F-]{36})$")]
    private static partial Regex RunUrl();
}
