using System.Net;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace KafkaMigrationPortal.Tests.Identity;

/// <summary>After sign-in the browser goes back where it was, and only ever to a page of this portal.</summary>
[Collection(PortalHostCollection.Name)]
public sealed class ReturnUrlTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/migrations")]
    [InlineData("/migrations/3f2c?tab=events#step-4")]
    [InlineData("/history?app=mackerel&user=alice%40example.com")]
    public void A_path_of_the_portal_is_kept(string returnUrl) => Assert.Equal(returnUrl, ReturnUrls.LocalOnly(returnUrl));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("https://evil.example.com/")]
    [InlineData("http:/evil.example.com")]
    [InlineData("javascript:alert(1)")]
    [InlineData("evil.example.com")]
    [InlineData("//evil.example.com")]
    [InlineData("///evil.example.com")]
    [InlineData("/\\evil.example.com")]
    [InlineData("\\\\evil.example.com")]
    [InlineData("/migrations\\..\\\\evil.example.com")]
    [InlineData("/\t/evil.example.com")]
    [InlineData("/\n/evil.example.com")]
    [InlineData("/\r\n/evil.example.com")]
    [InlineData("/\0/evil.example.com")]
    [InlineData("/%2F/evil.example.com")]
    [InlineData("/%2f%2fevil.example.com")]
    [InlineData("/%5C/evil.example.com")]
    [InlineData("/%5cevil.example.com")]
    [InlineData("/history%2F%2Fevil.example.com")]
    [InlineData("~/migrations")]
    [InlineData("~//evil.example.com")]
    [InlineData(" /migrations")]
    public void Anything_that_could_lead_elsewhere_becomes_the_home_page(string? returnUrl) =>
        Assert.Equal("/", ReturnUrls.LocalOnly(returnUrl));

    [Theory]
    [InlineData("//evil.example.com/")]
    [InlineData("/%5C/evil.example.com")]
    public async Task Signing_in_with_a_return_address_elsewhere_lands_on_the_home_page(string returnUrl)
    {
        var databaseFile = Path.Combine(Path.GetTempPath(), $"kmp-{Guid.NewGuid():N}.db");
        var portal = PortalFactory.OnSqlite(databaseFile);
        try
        {
            var client = portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
            using var challenge = await client.GetAsync($"{IdentityModule.ChallengePath}?returnUrl={Uri.EscapeDataString(returnUrl)}");
            using var authorize = await client.GetAsync(challenge.Headers.Location + "&login_hint=alice%40example.com");

            using var signedIn = await client.GetAsync(authorize.Headers.Location!.PathAndQuery);

            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
            Assert.Equal("/", signedIn.Headers.Location!.OriginalString);
        }
        finally
        {
            portal.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(databaseFile);
        }
    }
}
