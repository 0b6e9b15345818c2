namespace KafkaMigrationPortal.Features.AccessTokens;

public static class AccessTokensModule
{
    /// <summary>Personal access tokens for the API: the store Settings and the API's authentication share.</summary>
    public static IServiceCollection AddAccessTokens(this IServiceCollection services) =>
        services.AddSingleton<AccessTokenStore>();
}
