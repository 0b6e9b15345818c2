using System.Reflection;
using System.Security.Claims;
using Bunit;
using KafkaMigrationPortal.Components.Shared;
using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Features.Settings;
using Microsoft.Extensions.Configuration;
using KafkaMigrationPortal.Features.Notifications;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Heroku.Kafka;
using KafkaMigrationPortal.Heroku.Platform;
using KafkaMigrationPortal.Tests.Components.History;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using KafkaMigrationPortal.Engine;

namespace KafkaMigrationPortal.Tests.Components.Settings;

public sealed class SettingsPageTests : PortalTestContext, IAsyncLifetime
{
    private readonly PortalDatabaseForComponents database;
    private readonly StubGrant grant = new();
    private readonly StubHeroku heroku = new();

    public SettingsPageTests()
    {
        database = new PortalDatabaseForComponents(Services);
        Services.AddSingleton(new StorageSettings(StorageProvider.Sqlite, "Data Source=unused.db"));
        Services.AddSingleton<IHerokuClientFactory>(heroku);
        Services.AddSingleton<HerokuConnectionStatus>();
        Services.AddSingleton<IPersonalHerokuGrant>(grant);
        Services.AddSingleton(_ => notifications);
    }

    /// <summary>What the notifications card shows; read when the page first renders.</summary>
    private ApproverNotificationSettings notifications = ApproverNotificationSettings.None;

    async Task IAsyncLifetime.InitializeAsync() => await database.PrepareAsync(Services);

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        database.Dispose();
    }

    private Task<UserAccount> SignInAsync(string email, string[]? roles = null) =>
        PortalDatabaseForComponents.SignInAsync(Services, Authorization, email, roles);

    private static string Normalized(string text) => string.Join(' ', text.Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries));

    private IRenderedComponent<SettingsPage> RenderPage()
    {
        RenderProviders();
        return Render<SettingsPage>();
    }

    [Fact]
    public async Task The_signed_in_persons_own_grant_and_the_credential_of_their_runs_are_shown()
    {
        var alice = await SignInAsync("alice@example.com");
        grant.Answer = QueryResult<PersonalGrantView>.Ok(new("alice@example.com", "Heroku grant of alice@example.com"));

        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Contains("Heroku knows it as alice@example.com", page.Find("[data-testid=own-grant]").TextContent));
        Assert.Contains("Heroku grant of alice@example.com", page.Find("[data-testid=runs-execute-with]").TextContent);
        Assert.Equal((alice.Id, "alice@example.com"), grant.AskedFor);
    }

    [Fact]
    public async Task A_grant_that_cannot_be_used_is_an_error_with_what_to_do()
    {
        await SignInAsync("alice@example.com");
        grant.Answer = QueryResult<PersonalGrantView>.Failed("Your Heroku grant cannot be used: sign in again.");

        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Contains("sign in again", page.Find("[data-testid=error]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=own-grant]"));
    }

    [Fact]
    public async Task The_portal_connection_is_asked_of_Heroku_and_shown_with_the_rate_limit()
    {
        await SignInAsync("alice@example.com");

        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Contains("Simulated Heroku (sandbox) as sandbox-owner@example.com", Normalized(page.Find("[data-testid=heroku-connection]").TextContent)));
        Assert.Contains("4321", page.Find("[data-testid=rate-limit]").TextContent);
        Assert.Equal("Mode: sandbox (PORTAL_MODE), a standalone sandbox on this machine.", Normalized(page.Find("[data-testid=portal-mode]").TextContent));
    }

    [Fact]
    public async Task An_unreachable_Heroku_is_an_error_not_a_blank_card()
    {
        await SignInAsync("alice@example.com");
        heroku.Unreachable = true;

        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Contains("could not be reached", page.FindAll("[data-testid=error]").First().TextContent));
        Assert.Empty(page.FindAll("[data-testid=heroku-connection]"));
    }

    [Fact]
    public async Task A_viewer_sees_the_roles_but_cannot_change_them()
    {
        await SignInAsync("bob@example.com");
        await SignInAsync("alice@example.com"); // the page shows alice, who signed in second: a viewer.
        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Contains("Only an admin can change roles", page.Find("[data-testid=signed-in-as]").TextContent));
        Assert.All(page.FindAll("[data-testid=users] input[type=checkbox]"), box => Assert.True(box.HasAttribute("disabled")));
    }

    [Fact]
    public async Task The_first_user_is_admin_and_may_grant_roles()
    {
        await SignInAsync("alice@example.com");
        await Services.GetRequiredService<UserDirectory>().RecordSignInAsync(new HerokuIdentity("heroku-bob", "bob@example.com", null), new HerokuTokens("t", null, null));

        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Contains("You can grant roles below", page.Find("[data-testid=signed-in-as]").TextContent));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("input[aria-label='approver for bob@example.com']")));
        page.Find("input[aria-label='approver for bob@example.com']").Change(true);

        page.WaitForAssertion(() => Assert.Contains("bob@example.com: viewer, approver", page.Find("[data-testid=roles-message]").TextContent));
        Assert.Equal("status", page.Find("[data-testid=roles-message]").GetAttribute("role")); // read out by screen readers
    }

    [Fact]
    public async Task A_new_token_is_shown_once_with_a_copy_button_then_listed_by_its_id_and_revocable()
    {
        await SignInAsync("alice@example.com");
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=access-tokens]")));

        page.Find("[data-testid=token-name]").Change("deploy pipeline");
        page.Find("input[data-testid=token-scope-operate]").Change(true);
        page.Find("[data-testid=create-token]").Click();

        page.WaitForAssertion(() => Assert.StartsWith("kmp_", page.Find("[data-testid=token-value]").GetAttribute("value")));
        var value = page.Find("[data-testid=token-value]").GetAttribute("value")!;
        page.Find("[data-testid=copy-token]").Click();
        // Click() only queues the handler on the renderer's dispatcher, which may still be busy with the list's reload.
        page.WaitForAssertion(() => Assert.Equal(value, JSInterop.VerifyInvoke("portalClipboard.copy").Arguments.Single()));
        var listed = Assert.Single(page.FindAll("[data-testid=tokens] tbody tr"));
        Assert.Contains("deploy pipeline", listed.TextContent);
        Assert.Contains("read, operate", listed.TextContent);
        Assert.DoesNotContain(value, listed.TextContent);

        page.Find("[data-testid=revoke-token]").Click();

        page.WaitForAssertion(() => Assert.Equal("revoked", page.Find("[data-testid=token-state]").TextContent.Trim()));
        Assert.Empty(page.FindAll("[data-testid=token-value]"));
        Assert.DoesNotContain(value, page.Markup);
    }

    [Fact]
    public async Task An_admin_sees_everyone_elses_tokens_in_use_and_revokes_one()
    {
        await SignInAsync("alice@example.com"); // the first to sign in: the admin.
        var bob = await SignInAsync("bob@example.com");
        var bobs = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, bob.Id.ToString()), new Claim(ClaimTypes.Email, bob.Email)], "test"));
        var tokens = Services.GetRequiredService<KafkaMigrationPortal.Features.AccessTokens.AccessTokenStore>();
        var created = await tokens.CreateAsync(bobs, new("bob's pipeline", [KafkaMigrationPortal.Features.AccessTokens.AccessTokenScopes.Read], TimeSpan.FromDays(30)));
        await SignInAsync("alice@example.com");
        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Contains("bob@example.com", page.Find("[data-testid=others-tokens] tbody tr").TextContent));
        Assert.Contains(created.Value!.Token.PublicId, page.Find("[data-testid=others-tokens] tbody tr").TextContent);
        page.Find("[data-testid=others-tokens] [data-testid=revoke-token]").Click();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=others-tokens]")));
        Assert.Contains("None in use", page.Markup);
        Assert.NotNull((await tokens.ListAsync(bobs)).Value!.Single().RevokedAt);
    }

    [Fact]
    public async Task A_non_admin_sees_only_their_own_tokens()
    {
        await SignInAsync("alice@example.com");
        await SignInAsync("bob@example.com");
        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Contains("No tokens", page.Find("[data-testid=access-tokens]").TextContent)); // the panel has loaded
        Assert.DoesNotContain("Everyone else", page.Markup);
    }

    [Fact]
    public async Task An_admin_adds_someone_by_e_mail_with_roles_before_their_first_sign_in()
    {
        await SignInAsync("alice@example.com");
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=add-person-button]")));

        page.Find("input[type=email]").Change("Dave@Example.com");
        page.Find("input[aria-label='approver for the person added']").Change(true);
        page.Find("[data-testid=add-person-button]").Click();

        page.WaitForAssertion(() => Assert.Contains("dave@example.com gets viewer, approver at their first sign-in", page.Find("[data-testid=roles-message]").TextContent));
        Assert.Contains("viewer, approver", page.Find("[data-testid='pending-dave@example.com']").TextContent);
    }

    [Fact]
    public async Task A_bad_address_is_refused_with_a_clear_message_and_nothing_is_added()
    {
        await SignInAsync("alice@example.com");
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=add-person-button]")));

        page.Find("input[type=email]").Change("dave at example");
        page.Find("[data-testid=add-person-button]").Click();

        page.WaitForAssertion(() => Assert.Contains("'dave at example' is not an e-mail address", page.Find("[data-testid=roles-message]").TextContent));
        Assert.Equal("alert", page.Find("[data-testid=roles-message]").GetAttribute("role"));
        Assert.Empty(page.FindAll("[data-testid=pending-people]"));
        Assert.Empty((await Services.GetRequiredService<UserDirectory>().ListPendingAsync()).Value!);
    }

    [Fact]
    public async Task Approver_notifications_are_shown_without_the_webhook_path_or_the_mail_password()
    {
        notifications = (ApproverNotificationSettings.From(new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [ApproverNotificationSettings.SlackWebhookKey] = "https://hooks.slack.com/services/T0001/B0002/secret-webhook-token",
            [ApproverNotificationSettings.SmtpUrlKey] = "smtps://portal:smtp-password@smtp.example.com",
            [ApproverNotificationSettings.MailFromKey] = "portal@example.com",
            [ApproverNotificationSettings.BaseUrlKey] = "https://kmp.example.com",
        }).Build()));
        await SignInAsync("alice@example.com");

        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Contains("incoming webhook at hooks.slack.com/…", page.Find("[data-testid=notifications-slack]").TextContent));
        Assert.Contains("from portal@example.com through smtps://portal@smtp.example.com:465 (password set)", Normalized(page.Find("[data-testid=notifications-email]").TextContent));
        Assert.Contains("https://kmp.example.com/", page.Find("[data-testid=notifications-links]").TextContent);
        Assert.DoesNotContain("secret-webhook-token", page.Markup);
        Assert.DoesNotContain("smtp-password", page.Markup);
    }

    private sealed class StubGrant : IPersonalHerokuGrant
    {
        public QueryResult<PersonalGrantView> Answer { get; set; } = QueryResult<PersonalGrantView>.Ok(new("someone@example.com", "a credential"));

        public (Guid, string)? AskedFor { get; private set; }

        public Task<QueryResult<PersonalGrantView>> CheckAsync(Guid userId, string email, CancellationToken cancellationToken = default)
        {
            AskedFor = (userId, email);
            return Task.FromResult(Answer);
        }
    }

    /// <summary>Answers the two calls the connection status makes; anything else is a test bug.</summary>
    private sealed class StubHeroku : IHerokuClientFactory
    {
        public bool Unreachable { get; set; }

        public IHerokuPlatformApi Platform(IHerokuCredential credential)
        {
            var api = DispatchProxy.Create<IHerokuPlatformApi, PlatformProxy>();
            ((PlatformProxy)(object)api).Owner = this;
            return api;
        }

        public IHerokuKafkaApi Kafka(IHerokuCredential credential) => throw new NotSupportedException();
    }

    public class PlatformProxy : DispatchProxy
    {
        internal object? Owner { get; set; }

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            if (((StubHeroku)Owner!).Unreachable)
            {
                return method!.ReturnType == typeof(Task<HerokuAccount>)
                    ? Task.FromException<HerokuAccount>(new HttpRequestException("connection refused"))
                    : Task.FromException<HerokuRateLimit>(new HttpRequestException("connection refused"));
            }

            return method!.Name switch
            {
                nameof(IHerokuPlatformApi.GetAccountAsync) => Task.FromResult(new HerokuAccount("id", "sandbox-owner@example.com", null)),
                nameof(IHerokuPlatformApi.GetRateLimitAsync) => Task.FromResult(new HerokuRateLimit(4321)),
                _ => throw new NotSupportedException(method.Name),
            };
        }
    }
}
