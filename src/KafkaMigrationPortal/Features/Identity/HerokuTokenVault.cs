using Microsoft.AspNetCore.DataProtection;

namespace KafkaMigrationPortal.Features.Identity;

/// <summary>Encrypts Heroku tokens before they reach the database and decrypts them only to make a call.</summary>
public sealed class HerokuTokenVault(IDataProtectionProvider provider)
{
    private readonly IDataProtector protector = provider.CreateProtector("KafkaMigrationPortal.HerokuTokens.v1");

    public string Protect(string token) => protector.Protect(token);

    public string Unprotect(string protectedToken) => protector.Unprotect(protectedToken);
}
