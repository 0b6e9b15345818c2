namespace KafkaMigrationPortal.Sandbox.Dynos;

/// <summary>
/// Runs the simulated dynos of sandbox apps. The Platform API side calls <see cref="Reconcile"/> with the whole
/// desired state of an app after every formation change and every release; the supervisor starts, stops and
/// restarts (on a new release version) the producer and consumer dynos to match.
/// </summary>
public interface IDynoSupervisor
{
    void Reconcile(string app, IReadOnlyList<DynoSpec> desired);

    /// <summary>Stops every dyno of the app (app destroyed or sandbox shutting down).</summary>
    void StopAll(string app);

    /// <summary>As <see cref="StopAll"/>; completes once the dynos have stopped (producers flushed, consumers closed).</summary>
    Task StopAllAsync(string app)
    {
        StopAll(app);
        return Task.CompletedTask;
    }

    /// <summary>The app's running producer and consumer dynos as last reported, for <c>GET /apps/{app}/dynos</c>.</summary>
    IReadOnlyList<DynoStatus> Dynos(string app) => [];
}

/// <param name="Name">Heroku style, e.g. <c>producer.1</c>.</param>
/// <param name="State"><c>starting</c>, <c>up</c>, <c>idle</c> (misconfigured: logs and waits), <c>crashed</c> (restarting) or <c>stopping</c>.</param>
/// <param name="Problem">Why the dyno is idle or crashed; names config vars, never their values.</param>
public sealed record DynoStatus(string App, string Name, string ProcessType, int ReleaseVersion, DateTimeOffset StartedAt,
    string State, string? Problem);

/// <param name="ProcessType">Only <c>producer</c> and <c>consumer</c> types run code; others (web) are bookkeeping.</param>
/// <param name="ConfigVars">The app's config vars at this release, attachment vars included.</param>
/// <param name="ReleaseVersion">A change restarts the dynos, as on Heroku.</param>
public sealed record DynoSpec(string App, string ProcessType, int Quantity, IReadOnlyDictionary<string, string> ConfigVars, int ReleaseVersion);
