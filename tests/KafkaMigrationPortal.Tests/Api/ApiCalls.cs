using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using KafkaMigrationPortal.Components;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Features.AccessTokens;
using KafkaMigrationPortal.Features.Api;
using KafkaMigrationPortal.Features.Identity;
using KafkaMigrationPortal.Tests.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Api;

/// <summary>A person signed in through the sandbox's OAuth (so holding the grant sign-in stored), as the API sees them.</summary>
public sealed record ApiPerson(Guid Id, string Email)
{
    /// <summary>The principal Settings renders for them: what the token store is asked with.</summary>
    public ClaimsPrincipal Principal => new(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, Id.ToString()), new Claim(ClaimTypes.Email, Email)], "test"));
}

/// <summary>What the API tests share: people, their tokens, and requests as a script sends them.</summary>
public static class ApiCalls
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Signs <paramref name="email"/> in with the Heroku scope asked for, and gives them <paramref name="roles"/> (null: as sign-in left them).</summary>
    public static async Task<ApiPerson> PersonAsync(this WebApplicationFactory<App> portal, string email, string? scope, params string[]? roles)
    {
        await portal.SignInAsync(email, scope: scope);
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var user = await db.Set<UserAccount>().SingleAsync(u => u.Email == email);
        if (roles is { Length: > 0 })
        {
            user.Roles = string.Join(',', roles);
            await db.SaveChangesAsync();
        }

        return new ApiPerson(user.Id, email);
    }

    /// <summary>A token created as Settings creates it; answers its value.</summary>
    public static async Task<string> TokenAsync(this WebApplicationFactory<App> portal, ApiPerson person, params string[] scopes) =>
        (await portal.CreatedTokenAsync(person, TimeSpan.FromDays(30), scopes)).Value;

    public static async Task<CreatedAccessToken> CreatedTokenAsync(this WebApplicationFactory<App> portal, ApiPerson person, TimeSpan lifetime, params string[] scopes)
    {
        var created = await portal.Services.GetRequiredService<AccessTokenStore>().CreateAsync(person.Principal, new NewAccessToken($"{person.Email} script", scopes, lifetime));
        Assert.True(created.Succeeded, created.Error);
        return created.Value!;
    }

    /// <summary>A client as a script is: no cookies, the token as a bearer (none: no Authorization header).</summary>
    public static HttpClient Client(this WebApplicationFactory<App> portal, string? token)
    {
        var client = portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static async Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object? body, string? ifMatch = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? new { }, options: Json) };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (idempotencyKey is not null) request.Headers.Add(ApiEndpointsHeaders.IdempotencyKey, idempotencyKey);
        return await client.SendAsync(request);
    }

    public static async Task<JsonNode> JsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("no JSON body");

    /// <summary>Asserts an RFC 9457 problem of the given type and status; answers its body.</summary>
    public static async Task<JsonNode> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal(ApiProblems.TypeBase + type, (string?)problem["type"]);
        Assert.Equal((int)status, (int)problem["status"]!);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["title"]));
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"]));
        return problem;
    }
}

internal static class ApiEndpointsHeaders
{
    public const string IdempotencyKey = "Idempotency-Key";
}
