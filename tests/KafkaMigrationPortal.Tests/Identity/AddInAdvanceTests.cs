using KafkaMigrationPortal.Engine.Audit;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Tests.Components.History;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Identity;

/// <summary>An admin adds a person by e-mail before their first sign-in; that sign-in gets the roles given.</summary>
public sealed class AddInAdvanceTests : IAsyncLifetime
{
    private readonly ServiceProvider services;
    private readonly PortalDatabaseForComponents database;

    public AddInAdvanceTests()
    {
        var collection = new ServiceCollection();
        database = new PortalDatabaseForComponents(collection);
        services = collection.BuildServiceProvider();
    }

    private UserDirectory Users => services.GetRequiredService<UserDirectory>();

    public Task InitializeAsync() => database.PrepareAsync(services);

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        database.Dispose();
    }

    private Task<UserAccount> SignInAsync(string email) =>
        Users.RecordSignInAsync(new HerokuIdentity($"heroku-{email.ToLowerInvariant()}", email, null), new HerokuTokens("token", null, null));

    private async Task<List<AuditEntry>> AuditAsync()
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.AuditEntries.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync();
    }

    [Fact]
    public async Task The_first_sign_in_of_an_address_added_in_advance_gets_its_roles_and_both_are_audited()
    {
        var admin = await SignInAsync("alice@example.com");

        var added = await Users.AddInAdvanceAsync(admin.Id, " Dave@Example.com ", [TeamRole.Operator, TeamRole.Approver]);

        Assert.True(added.Succeeded, added.Error);
        Assert.Equal("dave@example.com", added.Value!.Email);
        Assert.Equal([TeamRole.Operator, TeamRole.Approver], added.Value.Roles);
        var dave = await SignInAsync("DAVE@example.com");
        Assert.Equal([TeamRole.Operator, TeamRole.Approver], dave.RoleList);
        Assert.Empty((await Users.ListPendingAsync()).Value!);
        var audit = await AuditAsync();
        Assert.Contains(audit, e => e is { Action: "user.added-in-advance", Actor: "alice@example.com" } && e.Summary.Contains("dave@example.com", StringComparison.Ordinal));
        Assert.Contains(audit, e => e.Action == "user.signed-in" && e.Summary.Contains("roles given in advance by alice@example.com", StringComparison.Ordinal));

        // Later sign-ins keep the roles an admin sets from then on; the row is gone.
        var later = await SignInAsync("dave@example.com");
        Assert.Equal(dave.Id, later.Id);
        Assert.Equal([TeamRole.Operator, TeamRole.Approver], later.RoleList);
    }

    [Theory]
    [InlineData("dave")]
    [InlineData("dave@")]
    [InlineData("dave@exa mple.com")]
    [InlineData("a@b@c.com")]
    [InlineData("")]
    public async Task A_bad_address_is_refused_with_a_clear_message_and_changes_nothing(string email)
    {
        var admin = await SignInAsync("alice@example.com");
        var before = (await AuditAsync()).Count;

        var added = await Users.AddInAdvanceAsync(admin.Id, email, [TeamRole.Viewer]);

        Assert.False(added.Succeeded);
        Assert.Contains("is not an e-mail address", added.Error);
        Assert.Empty((await Users.ListPendingAsync()).Value!);
        Assert.Equal(before, (await AuditAsync()).Count);
    }

    [Fact]
    public async Task Only_an_admin_may_add_people_whatever_the_page_showed()
    {
        await SignInAsync("alice@example.com");
        var viewer = await SignInAsync("bob@example.com");

        var added = await Users.AddInAdvanceAsync(viewer.Id, "dave@example.com", [TeamRole.Admin]);

        Assert.False(added.Succeeded);
        Assert.Equal("Only an admin can add people.", added.Error);
        Assert.Empty((await Users.ListPendingAsync()).Value!);
    }

    [Fact]
    public async Task Someone_who_has_signed_in_already_is_changed_in_the_table_not_added_again()
    {
        var admin = await SignInAsync("alice@example.com");
        await SignInAsync("bob@example.com");

        var added = await Users.AddInAdvanceAsync(admin.Id, "Bob@example.com", [TeamRole.Approver]);

        Assert.False(added.Succeeded);
        Assert.Contains("has signed in already", added.Error);
    }
}
