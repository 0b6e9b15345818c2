using System.Net;
using KafkaMigrationPortal.Features.Audit;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Audit;

/// <summary>Who may export and verify the audit log, and how often.</summary>
[Collection(PortalHostCollection.Name)]
public sealed class AuditEndpointAccessTests : IDisposable
{
    private readonly string databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-{Guid.NewGuid():N}.db");
    private readonly PortalFactory portal;

    public AuditEndpointAccessTests() => portal = PortalFactory.OnSqlite(databaseFile);

    /// <summary>alice signs in first (admin); bob is a viewer until she grants him more.</summary>
    private async Task<(HttpClient Alice, HttpClient Bob)> SignInBothAsync(params string[] bobsRoles)
    {
        var alice = await portal.SignInAsync("alice@example.com");
        var bob = await portal.SignInAsync("bob@example.com");
        if (bobsRoles.Length > 0)
        {
            var directory = portal.Services.GetRequiredService<UserDirectory>();
            var users = (await directory.ListAsync()).Value!.ToDictionary(u => u.Email);
            var granted = await directory.SetRolesAsync(users["alice@example.com"].Id, users["bob@example.com"].Id, bobsRoles);
            Assert.True(granted.Succeeded, granted.Error);
        }

        return (alice, bob);
    }

    [Fact]
    public async Task A_viewer_gets_403_from_export_and_verify_and_an_approver_gets_them()
    {
        var (_, bob) = await SignInBothAsync();

        using var viewerExport = await bob.GetAsync($"{AuditEndpoints.ExportPath}?format=csv");
        using var viewerVerify = await bob.GetAsync(AuditEndpoints.VerifyPath);
        Assert.Equal(HttpStatusCode.Forbidden, viewerExport.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, viewerVerify.StatusCode);
        Assert.DoesNotContain("user.signed-in", await viewerExport.Content.ReadAsStringAsync());

        // Roles are read on every request: the grant counts at once, without signing in again.
        var directory = portal.Services.GetRequiredService<UserDirectory>();
        var users = (await directory.ListAsync()).Value!.ToDictionary(u => u.Email);
        Assert.True((await directory.SetRolesAsync(users["alice@example.com"].Id, users["bob@example.com"].Id, [TeamRole.Viewer, TeamRole.Approver])).Succeeded);

        using var approverExport = await bob.GetAsync($"{AuditEndpoints.ExportPath}?format=csv");
        using var approverVerify = await bob.GetAsync(AuditEndpoints.VerifyPath);
        Assert.Equal(HttpStatusCode.OK, approverExport.StatusCode);
        Assert.Equal("text/csv", approverExport.Content.Headers.ContentType?.MediaType);
        Assert.Contains("user.signed-in", await approverExport.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, approverVerify.StatusCode);
        Assert.Contains("\"intact\":true", await approverVerify.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_operator_who_is_not_an_approver_gets_403_too()
    {
        var (_, bob) = await SignInBothAsync(TeamRole.Viewer, TeamRole.Operator);

        using var export = await bob.GetAsync($"{AuditEndpoints.ExportPath}?format=jsonl");

        Assert.Equal(HttpStatusCode.Forbidden, export.StatusCode);
    }

    [Fact]
    public async Task Export_and_verify_share_a_budget_per_user_and_the_request_past_it_in_the_window_gets_429()
    {
        var (alice, bob) = await SignInBothAsync(TeamRole.Viewer, TeamRole.Approver);

        for (var i = 0; i < AuditEndpoints.RequestsPerWindow; i++)
        {
            using var allowed = await alice.GetAsync(i % 2 == 0 ? $"{AuditEndpoints.ExportPath}?format=csv" : AuditEndpoints.VerifyPath);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var limited = await alice.GetAsync($"{AuditEndpoints.ExportPath}?format=jsonl");
        using var limitedVerify = await alice.GetAsync(AuditEndpoints.VerifyPath);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, limitedVerify.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), limited.Headers.RetryAfter?.Delta);

        // The budget is alice's: bob's first request in the same window goes through.
        using var others = await bob.GetAsync($"{AuditEndpoints.ExportPath}?format=csv");
        Assert.Equal(HttpStatusCode.OK, others.StatusCode);
        // And the rest of the portal is not limited for her.
        using var page = await alice.GetAsync("/history");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    public void Dispose()
    {
        portal.Dispose();
        SqliteConnection.ClearAllPools();
        File.Delete(databaseFile);
    }
}
