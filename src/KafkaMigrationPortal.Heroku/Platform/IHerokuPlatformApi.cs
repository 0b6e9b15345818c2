using KafkaMigrationPortal.Heroku.Http;
using Refit;

namespace KafkaMigrationPortal.Heroku.Platform;

/// <summary>
/// The Heroku Platform API calls a migration needs. Get an instance bound to a credential from
/// <see cref="IHerokuClientFactory.Platform"/>. Failures throw <see cref="HerokuApiException"/>.
/// List calls follow <c>Next-Range</c> until the list is complete.
/// </summary>
public interface IHerokuPlatformApi
{
    [Get("/account")]
    Task<HerokuAccount> GetAccountAsync(CancellationToken cancellationToken = default);

    /// <summary>Free: does not count against the rate limit.</summary>
    [Get("/account/rate-limits")]
    Task<HerokuRateLimit> GetRateLimitAsync(CancellationToken cancellationToken = default);

    /// <summary>The teams the token's owner is a member of, with their role in each.</summary>
    [Get("/teams")]
    Task<List<HerokuTeam>> ListTeamsAsync(CancellationToken cancellationToken = default);

    [Get("/apps/{app}")]
    Task<HerokuApp> GetAppAsync(string app, CancellationToken cancellationToken = default);

    /// <summary>E.g. maintenance on: <c>UpdateAppAsync(app, new(Maintenance: true))</c>.</summary>
    [Patch("/apps/{app}")]
    Task<HerokuApp> UpdateAppAsync(string app, [Body] HerokuAppUpdate update, CancellationToken cancellationToken = default);

    [Get("/apps/{app}/addons")]
    [Headers(HerokuRanges.AllById)]
    Task<List<HerokuAddOn>> ListAddOnsAsync(string app, CancellationToken cancellationToken = default);

    /// <summary>Poll <see cref="HerokuAddOn.State"/> until <c>provisioned</c>.</summary>
    [Get("/addons/{addOn}")]
    Task<HerokuAddOn> GetAddOnAsync(string addOn, CancellationToken cancellationToken = default);

    /// <summary>Not idempotent and never retried: after a failure, list add-ons and look for the attachment name.</summary>
    [Post("/apps/{app}/addons")]
    Task<HerokuAddOn> CreateAddOnAsync(string app, [Body] HerokuAddOnCreate request, CancellationToken cancellationToken = default);

    /// <summary>Irreversible: the add-on's data is gone. Heroku may answer <c>deprovisioning</c>: the add-on is gone (404)
    /// only later. Refused for an add-on also attached to other apps: see <see cref="ForceDestroyAddOnAsync"/>.</summary>
    [Delete("/apps/{app}/addons/{addOn}")]
    Task<HerokuAddOn> DestroyAddOnAsync(string app, string addOn, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="DestroyAddOnAsync"/> with body <c>{force: true}</c> (<c>heroku addons:destroy --force</c>): also removes the
    /// add-on from every other app it is attached to. The published schema declares no body for this call; the CLI sends it.
    /// </summary>
    [Delete("/apps/{app}/addons/{addOn}")]
    Task<HerokuAddOn> ForceDestroyAddOnAsync(string app, string addOn, [Body] HerokuAddOnDestroy request, CancellationToken cancellationToken = default);

    [Get("/apps/{app}/addon-attachments")]
    [Headers(HerokuRanges.AllById, HerokuInclusions.AddOnPlanAndConfigVars)]
    Task<List<HerokuAttachment>> ListAttachmentsAsync(string app, CancellationToken cancellationToken = default);

    [Get("/addons/{addOn}/addon-attachments")]
    [Headers(HerokuRanges.AllById, HerokuInclusions.AddOnPlanAndConfigVars)]
    Task<List<HerokuAttachment>> ListAttachmentsOfAddOnAsync(string addOn, CancellationToken cancellationToken = default);

    /// <summary>
    /// Attaches an add-on under a name. If the name is taken, throws <see cref="HerokuApiException"/> with
    /// <see cref="HerokuApiException.IsConfirmationRequired"/>; re-send with <c>Confirm = app name</c> only after the
    /// caller (a human or an approved plan step) decided to overwrite it. Never retried.
    /// </summary>
    [Post("/addon-attachments")]
    Task<HerokuAttachment> AttachAsync([Body] HerokuAttachmentCreate request, CancellationToken cancellationToken = default);

    [Delete("/addon-attachments/{attachmentId}")]
    Task<HerokuAttachment> DetachAsync(string attachmentId, CancellationToken cancellationToken = default);

    /// <summary>Values are secrets (URLs, certificates, keys): never log them.</summary>
    [Get("/apps/{app}/config-vars")]
    Task<Dictionary<string, string>> GetConfigVarsAsync(string app, CancellationToken cancellationToken = default);

    /// <summary>Sets the given keys; a null value deletes the key. Every change creates a release and restarts
    /// all dynos. Returns the full resulting set.</summary>
    [Patch("/apps/{app}/config-vars")]
    Task<Dictionary<string, string>> UpdateConfigVarsAsync(string app, [Body] IReadOnlyDictionary<string, string?> changes, CancellationToken cancellationToken = default);

    [Get("/apps/{app}/formation")]
    [Headers(HerokuRanges.AllById)]
    Task<List<HerokuFormation>> ListFormationAsync(string app, CancellationToken cancellationToken = default);

    [Patch("/apps/{app}/formation")]
    Task<List<HerokuFormation>> UpdateFormationAsync(string app, [Body] HerokuFormationBatchUpdate update, CancellationToken cancellationToken = default);

    /// <summary>The newest releases first (one page only), to see the release and restart a config change made.</summary>
    [Get("/apps/{app}/releases")]
    Task<List<HerokuRelease>> ListRecentReleasesAsync(
        string app,
        [Header("Range")] string range = HerokuRanges.NewestReleasesFirst,
        [Property(HerokuRequestOptions.FollowPagesKey)] bool followPages = false,
        CancellationToken cancellationToken = default);
}

/// <summary>Values of the <c>Range</c> header Heroku uses for list pagination.</summary>
public static class HerokuRanges
{
    public const string AllById = "Range: id ..; max=1000";
    public const string NewestReleasesFirst = "version ..; order=desc, max=10";
}

public static class HerokuInclusions
{
    public const string AddOnPlanAndConfigVars = "Accept-Inclusion: addon:plan,config_vars";
}
