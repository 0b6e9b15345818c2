using System.Net;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Features.AccessTokens;
using KafkaMigrationPortal.Features.Api;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace KafkaMigrationPortal.Tests.Api;

/// <summary>
/// Who gets into the API: personal access tokens (shown once, stored hashed, scoped, expiring, revocable, each use
/// audited by id), never the sign-in cookie; and the OpenAPI document, open to anyone since it holds no data.
/// </summary>
[Collection(PortalHostCollection.Name)]
public sealed class AccessTokenApiTests : IDisposable
{
    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-api-{Guid.NewGuid():N}.db");
    // Ahead of the machine's clock, as the test client's cookie jar needs (see PortalFactory).
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2100, 1, 4, 9, 0, 0, TimeSpan.Zero));
    private readonly PortalFactory portal;

    public AccessTokenApiTests() => portal = PortalFactory.OnSqlite(databaseFile, time);

    [Fact]
    public async Task Without_a_token_the_API_answers_401_problem_details_even_to_a_signed_in_browser()
    {
        var browser = await portal.SignInAsync("alice@example.com");

        using var anonymous = await portal.Client(token: null).GetAsync("/api/v1/runs");
        using var withCookie = await browser.GetAsync("/api/v1/runs");
        using var notAToken = await portal.Client("sandbox-token-alice").GetAsync("/api/v1/runs");
        using var unknown = await portal.Client(AccessTokenStore.Prefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").GetAsync("/api/v1/runs");

        await anonymous.AssertProblemAsync(HttpStatusCode.Unauthorized, AccessTokenRefusals.Missing);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        await withCookie.AssertProblemAsync(HttpStatusCode.Unauthorized, AccessTokenRefusals.Missing);
        await notAToken.AssertProblemAsync(HttpStatusCode.Unauthorized, AccessTokenRefusals.Invalid);
        await unknown.AssertProblemAsync(HttpStatusCode.Unauthorized, AccessTokenRefusals.Invalid);
    }

    [Fact]
    public async Task A_token_acts_as_its_owner_and_each_use_is_audited_by_its_id_never_its_value()
    {
        var alice = await portal.PersonAsync("alice@example.com", scope: null);
        var created = await portal.CreatedTokenAsync(alice, TimeSpan.FromDays(30), AccessTokenScopes.Read);

        using var runs = await portal.Client(created.Value).GetAsync("/api/v1/runs");
        using var approvals = await portal.Client(created.Value).GetAsync("/api/v1/approvals");

        Assert.Equal(HttpStatusCode.OK, runs.StatusCode);
        Assert.Equal(0, (int)(await runs.JsonAsync())["total"]!);
        Assert.Equal(HttpStatusCode.OK, approvals.StatusCode);
        Assert.StartsWith(AccessTokenStore.Prefix, created.Value);
        Assert.Equal(AccessTokenStore.Prefix.Length + 43, created.Value.Length);
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var uses = await db.AuditEntries.AsNoTracking().Where(e => e.Action == "api-token.used").OrderBy(e => e.Sequence).ToListAsync();
        Assert.Equal(2, uses.Count);
        Assert.All(uses, u => Assert.Equal("alice@example.com", u.Actor));
        Assert.All(uses, u => Assert.Contains(created.Token.PublicId, u.Summary));
        Assert.Contains("GET /api/v1/runs", uses[0].Summary);
        var everything = await db.AuditEntries.AsNoTracking().Select(e => e.Summary + e.Details).ToListAsync();
        Assert.DoesNotContain(everything, text => text.Contains(created.Value[AccessTokenStore.Prefix.Length..], StringComparison.Ordinal));
        Assert.DoesNotContain(portal.Logs, line => line.Contains(created.Value[AccessTokenStore.Prefix.Length..], StringComparison.Ordinal));
        var stored = await db.Set<ApiAccessToken>().AsNoTracking().SingleAsync();
        Assert.NotEqual(created.Value, stored.Hash);
        Assert.Equal(64, stored.Hash.Length);
        Assert.NotNull(stored.LastUsedAt);
    }

    [Fact]
    public async Task A_revoked_token_is_refused_from_the_next_request_on()
    {
        var alice = await portal.PersonAsync("alice@example.com", scope: null);
        var created = await portal.CreatedTokenAsync(alice, TimeSpan.FromDays(30), AccessTokenScopes.Read);
        var tokens = portal.Services.GetRequiredService<AccessTokenStore>();
        using var before = await portal.Client(created.Value).GetAsync("/api/v1/runs");

        var revoked = await tokens.RevokeAsync(alice.Principal, created.Token.Id);
        using var after = await portal.Client(created.Value).GetAsync("/api/v1/runs");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.NotNull(revoked.Value!.RevokedAt);
        await after.AssertProblemAsync(HttpStatusCode.Unauthorized, AccessTokenRefusals.Revoked);
        var listed = Assert.Single((await tokens.ListAsync(alice.Principal)).Value!);
        Assert.False(listed.IsUsableAt(time.GetUtcNow()));
    }

    [Fact]
    public async Task Only_an_admin_revokes_another_persons_token()
    {
        var alice = await portal.PersonAsync("alice@example.com", scope: null); // the first to sign in: the admin.
        var bob = await portal.PersonAsync("bob@example.com", scope: null);
        var tokens = portal.Services.GetRequiredService<AccessTokenStore>();
        var alices = await portal.CreatedTokenAsync(alice, TimeSpan.FromDays(30), AccessTokenScopes.Read);
        var bobs = await portal.CreatedTokenAsync(bob, TimeSpan.FromDays(30), AccessTokenScopes.Read);

        var byBob = await tokens.RevokeAsync(bob.Principal, alices.Token.Id);
        var bobSeesOthers = await tokens.ListOthersUsableAsync(bob.Principal);
        using var alicesStill = await portal.Client(alices.Value).GetAsync("/api/v1/runs");
        var aliceSeesBefore = await tokens.ListOthersUsableAsync(alice.Principal);
        var byAlice = await tokens.RevokeAsync(alice.Principal, bobs.Token.Id);
        using var bobsAfter = await portal.Client(bobs.Value).GetAsync("/api/v1/runs");
        var aliceSeesAfter = await tokens.ListOthersUsableAsync(alice.Principal);

        Assert.False(byBob.Succeeded);
        Assert.Equal(Engine.Refusals.RoleRequired, bobSeesOthers.ErrorCode);
        Assert.Equal(HttpStatusCode.OK, alicesStill.StatusCode);
        var listed = Assert.Single(aliceSeesBefore.Value!);
        Assert.Equal((bobs.Token.Id, "bob@example.com"), (listed.Id, listed.Owner));
        Assert.True(byAlice.Succeeded, byAlice.Error);
        await bobsAfter.AssertProblemAsync(HttpStatusCode.Unauthorized, AccessTokenRefusals.Revoked);
        Assert.Empty(aliceSeesAfter.Value!);
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var audited = await db.AuditEntries.AsNoTracking().Where(e => e.Action == "api-token.revoked").SingleAsync();
        Assert.Equal("alice@example.com", audited.Actor);
        Assert.Contains($"{bobs.Token.PublicId} “bob@example.com script” of bob@example.com", audited.Summary);
    }

    [Fact]
    public async Task A_token_is_refused_once_it_has_expired()
    {
        var alice = await portal.PersonAsync("alice@example.com", scope: null);
        var created = await portal.CreatedTokenAsync(alice, TimeSpan.FromDays(7), AccessTokenScopes.Read);
        using var before = await portal.Client(created.Value).GetAsync("/api/v1/runs");

        time.Advance(TimeSpan.FromDays(7));
        using var after = await portal.Client(created.Value).GetAsync("/api/v1/runs");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        await after.AssertProblemAsync(HttpStatusCode.Unauthorized, AccessTokenRefusals.Expired);
    }

    [Fact]
    public async Task A_token_without_the_endpoints_scope_is_refused_with_wrong_scope()
    {
        var alice = await portal.PersonAsync("alice@example.com", scope: null);
        var readOnly = portal.Client(await portal.TokenAsync(alice, AccessTokenScopes.Read));
        var approveOnly = portal.Client(await portal.TokenAsync(alice, AccessTokenScopes.Approve));
        var run = Guid.NewGuid();

        using var plan = await readOnly.PostJsonAsync("/api/v1/plans", new { app = "mackerel" });
        using var approve = await readOnly.PostJsonAsync($"/api/v1/runs/{run}/steps/1/approve", new { comment = "ok" });
        using var abort = await approveOnly.PostJsonAsync($"/api/v1/runs/{run}/abort", new { reason = "stop" });
        using var read = await approveOnly.GetAsync("/api/v1/runs");
        using var stream = await approveOnly.GetAsync($"/api/v1/runs/{run}/events/stream");

        foreach (var refused in new[] { plan, approve, abort, read, stream })
            await refused.AssertProblemAsync(HttpStatusCode.Forbidden, ApiProblems.WrongScope);
    }

    [Fact]
    public async Task Settings_refuses_a_token_without_a_name_a_scope_or_an_expiry()
    {
        var alice = await portal.PersonAsync("alice@example.com", scope: null);
        var tokens = portal.Services.GetRequiredService<AccessTokenStore>();

        var unnamed = await tokens.CreateAsync(alice.Principal, new NewAccessToken(" ", [AccessTokenScopes.Read], TimeSpan.FromDays(1)));
        var unscoped = await tokens.CreateAsync(alice.Principal, new NewAccessToken("ci", [], TimeSpan.FromDays(1)));
        var unknownScope = await tokens.CreateAsync(alice.Principal, new NewAccessToken("ci", ["admin"], TimeSpan.FromDays(1)));
        var forever = await tokens.CreateAsync(alice.Principal, new NewAccessToken("ci", [AccessTokenScopes.Read], TimeSpan.FromDays(400)));

        Assert.All([unnamed, unscoped, unknownScope, forever], r => Assert.False(r.Succeeded));
        Assert.Empty((await tokens.ListAsync(alice.Principal)).Value!);
    }

    [Fact]
    public async Task The_OpenAPI_document_is_open_without_sign_in_is_valid_and_lists_every_endpoint()
    {
        using var response = await portal.Client(token: null).GetAsync(ApiModule.DocumentPath);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var read = OpenApiDocument.Parse(text, OpenApiConstants.Json);
        Assert.Empty(read.Diagnostic!.Errors);
        var operations = read.Document!.Paths.SelectMany(p => p.Value.Operations!.Select(o => $"{o.Key.Method.ToUpperInvariant()} {p.Key}")).Order().ToList();
        Assert.Equal(
            [
                "GET /api/v1/approvals",
                "GET /api/v1/runs",
                "GET /api/v1/runs/{runId}",
                "GET /api/v1/runs/{runId}/events",
                "GET /api/v1/runs/{runId}/events/stream",
                "POST /api/v1/plans",
                "POST /api/v1/runs",
                "POST /api/v1/runs/{runId}/abort",
                "POST /api/v1/runs/{runId}/rollback",
                "POST /api/v1/runs/{runId}/steps/{step}/approve",
                "POST /api/v1/runs/{runId}/steps/{step}/reject",
            ],
            operations);
        Assert.Contains(AccessTokenHandler.SchemeName, read.Document.Components!.SecuritySchemes!.Keys);
        Assert.All(read.Document.Paths.Values.SelectMany(p => p.Operations!.Values), o => Assert.False(string.IsNullOrEmpty(o.OperationId)));
    }

    [Fact]
    public async Task An_unknown_API_address_is_a_404_problem_rather_than_a_page()
    {
        using var response = await portal.Client(token: null).GetAsync("/api/v1/no-such-thing");

        await response.AssertProblemAsync(HttpStatusCode.NotFound, ApiProblems.NotFound);
    }

    public void Dispose()
    {
        portal.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }
}
