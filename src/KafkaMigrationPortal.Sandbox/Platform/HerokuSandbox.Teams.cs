using System.Text.Json.Nodes;
using KafkaMigrationPortal.Sandbox.Http;

namespace KafkaMigrationPortal.Sandbox.Platform;

public sealed partial class HerokuSandbox
{
    public const string DemoTeam = "mackerel-team";
    public const string HerringTeam = "herring-team";

    private readonly Dictionary<string, TeamRecord> _teams = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The teams the caller is a member of, shaped as Heroku's <c>GET /teams</c> answers (with the caller's role).</summary>
    public IReadOnlyList<JsonObject> ListTeams(SandboxCaller caller) => Mutate(() =>
        (IReadOnlyList<JsonObject>)[.. _teams.Values
            .Where(t => t.Members.ContainsKey(caller.User.Id))
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => HerokuJson.Team(t, t.Members[caller.User.Id]))]);

    /// <summary>Removes a member (by e-mail or id), as <c>DELETE /teams/{team}/members/{member}</c>: team admins only.</summary>
    public JsonObject RemoveTeamMember(SandboxCaller caller, string team, string member) => Mutate(() =>
    {
        if (!_teams.TryGetValue(team, out var record) || !record.Members.ContainsKey(caller.User.Id))
        {
            throw SandboxApiException.NotFound($"Couldn't find that team.");
        }

        if (record.Members[caller.User.Id] != "admin")
        {
            throw SandboxApiException.Forbidden("You must be a team admin to remove members.");
        }

        var user = SandboxUsers.All.FirstOrDefault(u => string.Equals(u.Email, member, StringComparison.OrdinalIgnoreCase) || u.Id.ToString() == member);
        if (user is null || !record.Members.Remove(user.Id, out var role))
        {
            throw SandboxApiException.NotFound("Couldn't find that team member.");
        }

        return HerokuJson.TeamMember(record, user, role, Now);
    });

    /// <summary>Alice (admin) and Bob are in <c>mackerel-team</c>; Carol is alone in <c>herring-team</c>.</summary>
    private void SeedTeamsLocked()
    {
        _teams.Clear();
        _teams.Add(DemoTeam, new TeamRecord(Guid.NewGuid(), DemoTeam, _accountsCreatedAt,
            new() { [SandboxUsers.Alice.Id] = "admin", [SandboxUsers.Bob.Id] = "member" }));
        _teams.Add(HerringTeam, new TeamRecord(Guid.NewGuid(), HerringTeam, _accountsCreatedAt,
            new() { [SandboxUsers.Carol.Id] = "admin" }));
    }
}

internal sealed record TeamRecord(Guid Id, string Name, DateTimeOffset CreatedAt, Dictionary<Guid, string> Members);
