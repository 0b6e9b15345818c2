using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KafkaMigrationPortal.Engine.Storage;

/// <summary>
/// A personal access token for the portal's API. Only the SHA-256 of its value is kept; <see cref="PublicId"/> names
/// it wherever it is shown or recorded (Settings, the audit log) and is no part of the secret.
/// </summary>
public sealed class ApiAccessToken
{
    public Guid Id { get; set; }

    /// <summary>Short and not secret, e.g. <c>t-3f9a1c2b</c>.</summary>
    public required string PublicId { get; set; }

    public Guid UserId { get; set; }

    public required string Name { get; set; }

    /// <summary>Lower-case hex SHA-256 of the token's value.</summary>
    public required string Hash { get; set; }

    /// <summary>Comma-separated API scopes (<c>read</c>, <c>operate</c>, <c>approve</c>).</summary>
    public required string Scopes { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public IReadOnlyList<string> ScopeList => Scopes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>
/// A start request made with an <c>Idempotency-Key</c>: a repeat by the same person with the same body answers the run
/// it started; <see cref="RunId"/> is null while the first request is still being carried out.
/// </summary>
public sealed class ApiIdempotencyKey
{
    public Guid UserId { get; set; }

    public required string Key { get; set; }

    /// <summary>Lower-case hex SHA-256 of the request body as the API understood it.</summary>
    public required string RequestHash { get; set; }

    public Guid? RunId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class ApiAccessTokenConfiguration : IEntityTypeConfiguration<ApiAccessToken>
{
    public void Configure(EntityTypeBuilder<ApiAccessToken> token)
    {
        token.Property(t => t.PublicId).HasMaxLength(20);
        token.Property(t => t.Name).HasMaxLength(100);
        token.Property(t => t.Hash).HasMaxLength(64);
        token.Property(t => t.Scopes).HasMaxLength(100);
        token.HasIndex(t => t.Hash).IsUnique();
        token.HasIndex(t => t.PublicId).IsUnique();
        token.HasIndex(t => t.UserId);
        token.HasOne<UserAccount>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        token.Ignore(t => t.ScopeList);
    }
}

internal sealed class ApiIdempotencyKeyConfiguration : IEntityTypeConfiguration<ApiIdempotencyKey>
{
    public void Configure(EntityTypeBuilder<ApiIdempotencyKey> key)
    {
        key.HasKey(k => new { k.UserId, k.Key });
        key.Property(k => k.Key).HasMaxLength(200);
        key.Property(k => k.RequestHash).HasMaxLength(64);
        key.HasOne<UserAccount>().WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
