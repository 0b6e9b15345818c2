using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using KafkaMigrationPortal.TestSupport;
using Microsoft.Playwright;

namespace KafkaMigrationPortal.EndToEnd.Tests;

/// <summary>
/// The whole product in a browser: alice plans and starts a double-write migration of the sandbox's demo app in the
/// wizard and watches it on the run page; bob, made an approver by alice, approves every gate from his own browser
/// context; the sandbox's ledger then proves that no message was lost on the way.
/// </summary>
[Collection(PortalSessionCollection.Name)]
public sealed partial class WholeMigrationTests(PortalSession session) : IDisposable
{
    private const string App = "mackerel";
    private static readonly TimeSpan RunDeadline = TimeSpan.FromMinutes(4);

    private readonly HttpClient heroku = SandboxClient(session.Portal.SandboxUrl);

    public void Dispose() => heroku.Dispose();

    [Fact]
    public async Task Two_users_run_a_double_write_migration_from_the_wizard_to_the_destroyed_old_addon_and_no_message_is_lost()
    {
        var oldAddon = await AddonAttachedAsAsync("KAFKA");

        await using var bobContext = await session.NewContextAsync(PortalSession.Wide);
        var bob = await bobContext.NewPageAsync();
        await session.SignInAsync(bob, PortalSession.Bob, "approvals");
        await Assertions.Expect(bob.GetByTestId("not-an-approver")).ToBeVisibleAsync();

        await using var aliceContext = await session.NewContextAsync(PortalSession.Wide, session.AliceState);
        var alice = await aliceContext.NewPageAsync();
        await GrantApproverToBobAsync(alice);

        var runId = await StartDoubleWriteInTheWizardAsync(alice);
        Assert.Equal(oldAddon, await AddonAttachedAsAsync("KAFKA")); // the wizard only read until Start

        // From here on alice's page is never navigated: whatever changes on it arrives over the circuit.
        await Assertions.Expect(alice.GetByTestId("run-status")).ToBeVisibleAsync();
        await PortalSession.WaitForCircuitAsync(alice);
        await alice.EvaluateAsync("() => { window.__kmpMarker = 1; }");
        var runUrl = alice.Url;
        var stepCount = await alice.Locator("[data-testid^='step-row-']").CountAsync();
        Assert.True(stepCount >= 10, $"a double-write plan has many steps, the timeline shows {stepCount}");
        var lastStep = alice.GetByTestId($"step-row-{stepCount - 1}");
        Assert.NotEqual("Done", await lastStep.GetAttributeAsync("data-step-status"));
        var seenTimelines = new HashSet<string> { await TimelineAsync(alice) };

        var approvals = await ApproveEveryGateAsBobAsync(bob, alice, runId, oldAddon, seenTimelines);

        await Assertions.Expect(alice.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "Succeeded", new() { Timeout = 60_000 });
        seenTimelines.Add(await TimelineAsync(alice));
        await session.ScreenshotAsync(alice, "run-succeeded");

        Assert.Equal(runUrl, alice.Url);
        Assert.Equal(1, await alice.EvaluateAsync<int>("() => window.__kmpMarker ?? 0"));
        Assert.Equal("Done", await lastStep.GetAttributeAsync("data-step-status"));
        Assert.True(seenTimelines.Count >= 4, $"the open run page showed only {seenTimelines.Count} distinct timelines");
        Assert.Equal(3, approvals.Count); // consumer switch, producer cutover, destroying the old add-on
        Assert.Contains(approvals, title => title.Contains(oldAddon, StringComparison.Ordinal) || title.Contains("estroy", StringComparison.Ordinal));

        // Heroku now: KAFKA is a new basic-1 add-on, the old one is gone.
        var newAddon = await AddonAttachedAsAsync("KAFKA");
        Assert.NotEqual(oldAddon, newAddon);
        var addons = await GetJsonAsync($"apps/{App}/addons");
        var names = addons.EnumerateArray().Select(a => a.GetProperty("name").GetString()).ToList();
        Assert.DoesNotContain(oldAddon, names);
        var plan = addons.EnumerateArray().Single(a => a.GetProperty("name").GetString() == newAddon).GetProperty("plan").GetProperty("name").GetString();
        Assert.Equal("heroku-kafka:basic-1", plan);

        // Stop producing, let the consumers drain, then every message ever produced must have been consumed.
        using var scale = new HttpRequestMessage(HttpMethod.Patch, $"apps/{App}/formation")
        {
            Content = new StringContent("""{"updates":[{"type":"producer","quantity":0}]}""", Encoding.UTF8, "application/json"),
        };
        (await heroku.SendAsync(scale)).EnsureSuccessStatusCode();
        var ledger = await Deadline.PollAsync(
            () => GetJsonAsync($"_sandbox/ledger/{App}"),
            report => report.GetProperty("topics").EnumerateArray().All(t => t.GetProperty("missing_count").GetInt32() == 0),
            TimeSpan.FromSeconds(60), "every message produced during the migration is consumed");
        var topics = ledger.GetProperty("topics").EnumerateArray().ToList();
        Assert.Equal(3, topics.Count);
        Assert.All(topics, t => Assert.True(t.GetProperty("produced").GetInt32() > 50, $"{t.GetProperty("topic")}: too little traffic to prove anything"));
    }

    private async Task GrantApproverToBobAsync(IPage alice)
    {
        await alice.GotoAsync(session.Url("settings"));
        await PortalSession.WaitForCircuitAsync(alice);
        var box = alice.GetByLabel($"approver for {PortalSession.Bob}");
        await PortalSession.UntilAsync(
            () => box.ClickAsync(),
            async () => (await alice.GetByTestId("roles-message").AllTextContentsAsync()).Any(m => m.Contains(PortalSession.Bob) && m.Contains("approver")),
            "alice grants bob the approver role");
        await Assertions.Expect(box).ToBeCheckedAsync();
    }

    private async Task<Guid> StartDoubleWriteInTheWizardAsync(IPage alice)
    {
        await alice.GotoAsync(session.Url("migrations/new"));
        await PortalSession.WaitForCircuitAsync(alice);

        await PortalSession.UntilAsync(
            async () =>
            {
                await alice.GetByTestId("wizard-app").FillAsync(App);
                await alice.GetByTestId("wizard-next").ClickAsync();
            },
            () => alice.GetByTestId("wizard-source-details").IsVisibleAsync(),
            "the wizard reads mackerel and its only Kafka add-on");
        await Assertions.Expect(alice.GetByTestId("wizard-source-KAFKA")).ToBeCheckedAsync();
        await Assertions.Expect(alice.GetByTestId("wizard-producer-producer")).ToBeCheckedAsync();
        await Assertions.Expect(alice.GetByTestId("wizard-consumer-consumer")).ToBeCheckedAsync();
        await Assertions.Expect(alice.GetByTestId("wizard-producer-web")).Not.ToBeCheckedAsync();

        await alice.GetByTestId("wizard-next").ClickAsync();
        await alice.GetByTestId("wizard-target-plan-basic-1").ClickAsync();
        await alice.GetByTestId("wizard-strategy-DoubleWrite").ClickAsync();
        await Assertions.Expect(alice.GetByTestId("wizard-target-plan-basic-1")).ToBeCheckedAsync();
        await alice.GetByTestId("wizard-next").ClickAsync();

        await Assertions.Expect(alice.GetByTestId("plan-step-0")).ToBeVisibleAsync();
        Assert.Equal(0, await alice.GetByTestId("wizard-refusal").CountAsync());
        var cli = string.Join("\n", await alice.Locator("[data-testid^='plan-step-cli-']").AllTextContentsAsync());
        Assert.Contains("heroku addons:create heroku-kafka:basic-1", cli);
        Assert.Equal(1, await alice.Locator("[data-testid^='plan-step-'][data-point-of-no-return='true']").CountAsync());
        await session.ScreenshotAsync(alice, "wizard-review");

        await alice.GetByTestId("wizard-start").ClickAsync();
        await alice.WaitForURLAsync(RunUrl(), new() { Timeout = 30_000 });
        return Guid.Parse(RunUrl().Match(alice.Url).Groups["id"].Value);
    }

    /// <summary>
    /// Bob keeps his approvals inbox open and looks again every second; each gate of the run that appears there he
    /// approves, typing the old add-on's name when approval destroys it. Returns the titles of the steps approved.
    /// </summary>
    private async Task<List<string>> ApproveEveryGateAsBobAsync(IPage bob, IPage alice, Guid runId, string oldAddon, HashSet<string> seenTimelines)
    {
        var approved = new List<string>();
        var deadline = DateTime.UtcNow + RunDeadline;
        var midRunShot = false;
        await bob.GotoAsync(session.Url("approvals"));
        await PortalSession.WaitForCircuitAsync(bob);
        await Assertions.Expect(bob.GetByTestId("not-an-approver")).ToBeHiddenAsync();

        while (await alice.GetByTestId("run-status").GetAttributeAsync("data-status") != "Succeeded")
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The run did not succeed within {RunDeadline}; its timeline: {await TimelineAsync(alice)}\n{session.Portal.RecentOutput}");
            }

            seenTimelines.Add(await TimelineAsync(alice));
            var status = await alice.GetByTestId("run-status").GetAttributeAsync("data-status");
            if (status is "Failed" or "Paused" or "Aborted" or "RolledBack")
            {
                var reason = string.Join(" ", await alice.GetByTestId("run-last-error").AllTextContentsAsync());
                Assert.Fail($"the run stopped ({status}): {reason}; its timeline: {await TimelineAsync(alice)}");
            }
            if (!midRunShot && await alice.Locator("[data-step-status='Waiting']").CountAsync() > 0)
            {
                await session.ScreenshotAsync(alice, "run-timeline");
                midRunShot = true;
            }

            var gate = bob.GetByTestId($"approval-{runId}");
            if (await gate.CountAsync() == 0)
            {
                await Task.Delay(1000);
                await bob.GetByTestId("approvals-refresh").ClickAsync();
                continue;
            }

            var title = (await gate.GetByTestId("approval-run-link").Locator("xpath=..").TextContentAsync())?.Trim() ?? "";
            if (approved.Count == 0) await session.ScreenshotAsync(bob, "approvals-gate");
            await gate.GetByTestId("approve-button").ClickAsync();
            await Assertions.Expect(bob.GetByTestId("decision-confirm")).ToBeVisibleAsync();
            var typedName = bob.GetByTestId("decision-typed-name");
            if (await typedName.CountAsync() > 0)
            {
                await Assertions.Expect(bob.GetByTestId("decision-confirm")).ToBeDisabledAsync();
                await typedName.FillAsync(oldAddon);
                await Assertions.Expect(bob.GetByTestId("decision-confirm")).ToBeEnabledAsync();
            }

            await bob.GetByTestId("decision-comment").FillAsync($"approved by bob in the end-to-end test ({approved.Count + 1})");
            await bob.GetByTestId("decision-confirm").ClickAsync();
            await Assertions.Expect(bob.GetByTestId("decision-confirm")).ToBeHiddenAsync();
            // A refused approval (the live checks failed at that moment) leaves the gate in the inbox with its reason: try again.
            await Deadline.PollAsync(
                async () => await gate.CountAsync() == 0 || await gate.GetByTestId("decision-result").CountAsync() > 0,
                TimeSpan.FromSeconds(30), "bob's decision is answered");
            if (await gate.CountAsync() == 0) approved.Add(title);
        }

        return approved;
    }

    /// <summary>Every step's state as the open page shows it, in order.</summary>
    private static async Task<string> TimelineAsync(IPage page) =>
        string.Join(",", await page.Locator("[data-testid^='step-row-']").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.stepStatus)"));

    private async Task<string> AddonAttachedAsAsync(string attachment)
    {
        var attachments = await GetJsonAsync($"apps/{App}/addon-attachments");
        return attachments.EnumerateArray().Single(a => a.GetProperty("name").GetString() == attachment).GetProperty("addon").GetProperty("name").GetString()!;
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await heroku.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The sandbox's Platform API as alice (the owner of mackerel), with Heroku's versioned Accept header.</summary>
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
