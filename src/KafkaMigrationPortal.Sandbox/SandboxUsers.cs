namespace KafkaMigrationPortal.Sandbox;

/// <summary>A seeded sandbox account. <see cref="ApiToken"/> works as a Bearer token like a Heroku API key.</summary>
public sealed record SandboxUser(Guid Id, string Email, string Name, string ApiToken);

/// <summary>The accounts every sandbox starts with. Alice owns the demo app <c>mackerel</c>, Bob collaborates on it,
/// Carol owns <c>herring</c> and has no access to <c>mackerel</c>.</summary>
public static class SandboxUsers
{
    public static readonly SandboxUser Alice = new(
        Guid.Parse("0a11ce00-0000-4000-8000-000000000001"), "alice@example.com", "Alice Example", "sandbox-token-alice");

    public static readonly SandboxUser Bob = new(
        Guid.Parse("0b0b0000-0000-4000-8000-000000000002"), "bob@example.com", "Bob Example", "sandbox-token-bob");

    public static readonly SandboxUser Carol = new(
        Guid.Parse("0ca10100-0000-4000-8000-000000000003"), "carol@example.com", "Carol Example", "sandbox-token-carol");

    public static IReadOnlyList<SandboxUser> All { get; } = [Alice, Bob, Carol];

    /// <summary>The OAuth client the portal registers with the sandbox's authorize/token endpoints.</summary>
    public const string PortalOAuthClientId = "sandbox-portal";

    public const string PortalOAuthClientSecret = "sandbox-portal-secret";

    public static SandboxUser? FindByEmail(string email) =>
        All.FirstOrDefault(u => string.Equals(u.Email, email, StringComparison.OrdinalIgnoreCase));

    public static SandboxUser? FindById(Guid id) => All.FirstOrDefault(u => u.Id == id);
}
