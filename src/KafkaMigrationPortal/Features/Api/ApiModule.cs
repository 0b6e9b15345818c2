using KafkaMigrationPortal.Features.AccessTokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;

namespace KafkaMigrationPortal.Features.Api;

public static class ApiModule
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/openapi/v1.json";

    /// <summary>The API for scripts and CI: token authentication, its policies, problem details and the OpenAPI document.</summary>
    public static IServiceCollection AddPortalApi(this IServiceCollection services)
    {
        services.AddAccessTokens();
        services.AddProblemDetails();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, AccessTokenHandler>(AccessTokenHandler.SchemeName, _ => { });
        services.AddAuthorizationBuilder().AddApiPolicies();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ApiAuthorizationResultHandler>();
        services.AddSingleton<ApiRunReader>();
        services.AddSingleton<IdempotencyKeys>();
        services.AddApiRateLimit();
        services.AddOpenApi(DocumentName, options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Kafka Migration Portal API",
                    Version = DocumentName,
                    Description = "Plan, start, watch and approve migrations between Apache Kafka on Heroku add-ons, with the rules of the portal's UI. " +
                                  "Authenticate with a personal access token from Settings: 'Authorization: Bearer kmp_…'. Refusals are RFC 9457 problem details.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[AccessTokenHandler.SchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "A personal access token (kmp_…) created in Settings, with the scope the operation needs: read, operate or approve.",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(AccessTokenHandler.SchemeName, document)] = [] }];
                return Task.CompletedTask;
            });
        });
        return services;
    }

    /// <summary>
    /// <c>/api/v1</c> (a token, never the sign-in cookie) and <c>/openapi/v1.json</c>, open without sign-in: it
    /// describes the endpoints and holds no data.
    /// </summary>
    public static IEndpointRouteBuilder MapPortalApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi(DocumentPath).AllowAnonymous();
        var api = endpoints.MapGroup(ApiRoutes.Base).WithMetadata(new ApiEndpointMetadata()).WithTags("runs");
        api.MapRunEndpoints();
        api.RequireRateLimiting(ApiRateLimit.PolicyName).AddEndpointFilter<AccessTokenUseRecorder>();
        api.MapFallback("{**path}", (HttpContext http) => ApiProblems.For(ApiProblems.NotFound, $"There is no {http.Request.Method} {http.Request.Path} in the API; see {DocumentPath}."))
            .AllowAnonymous()
            .ExcludeFromDescription();
        return endpoints;
    }
}
