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
}

/// <param name="ProcessType">Only <c>producer</c> and <c>consumer</c> types run code; others (web) are bookkeeping.</param>
/// <param name="ConfigVars">The app's config vars at this release, attachment vars included.</param>
/// <param name="ReleaseVersion">A change restarts the dynos, as on Heroku.</param>
public sealed record DynoSpec(string App, string ProcessType, int Quantity, IReadOnlyDictionary<string, string> ConfigVars, int ReleaseVersion);
