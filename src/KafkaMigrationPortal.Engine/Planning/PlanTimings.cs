namespace KafkaMigrationPortal.Engine.Planning;

/// <summary>The shortest and the longest a step or a plan is expected to take.</summary>
public readonly record struct DurationRange(TimeSpan Least, TimeSpan Most)
{
    public static DurationRange Exactly(TimeSpan span) => new(span, span);

    public static DurationRange operator +(DurationRange a, DurationRange b) => new(a.Least + b.Least, a.Most + b.Most);

    public static DurationRange operator *(DurationRange a, int times) => new(a.Least * times, a.Most * times);

    /// <summary>"about 5 minutes" when both ends read the same, else "4 minutes 10 seconds to 12 minutes".</summary>
    public string InWords() => Durations.InWords(Least) == Durations.InWords(Most)
        ? $"about {Durations.InWords(Least)}"
        : $"{Durations.InWords(Least)} to {Durations.InWords(Most)}";
}

/// <summary>
/// How long the steps that wait on Heroku take where the plan will run: on Heroku (its documented provisioning times,
/// a release restarting every dyno) or in the sandbox, which provisions in seconds and restarts dynos at once. Waits
/// the plan itself sets (retention, stray-write watch) are exact and come from the request.
/// </summary>
/// <param name="ApiCall">One Platform or data API call that changes something.</param>
/// <param name="Release">A config change or scale: a new release, every dyno restarted on it.</param>
/// <param name="CatchUp">Consumers reading what is left, judged over consecutive lag checks.</param>
public sealed record PlanTimings(
    DurationRange ApiCall,
    DurationRange Release,
    DurationRange ProvisioningMultiTenant,
    DurationRange ProvisioningDedicated,
    DurationRange CatchUp,
    DurationRange Destroy)
{
    /// <summary>
    /// Heroku, as estimates (the reference sheet gives no figures): a multi-tenant add-on ready within minutes, a
    /// dedicated cluster within 15 minutes to an hour; a release replaces dynos within their 30 s shutdown grace plus boot.
    /// </summary>
    public static readonly PlanTimings Heroku = new(
        ApiCall: new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)),
        Release: new(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(3)),
        ProvisioningMultiTenant: new(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10)),
        ProvisioningDedicated: new(TimeSpan.FromMinutes(15), TimeSpan.FromHours(1)),
        CatchUp: new(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5)),
        Destroy: new(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5)));

    /// <summary>The sandbox: add-ons ready within seconds, dynos restarted in one, the engine's polls the floor.</summary>
    public static readonly PlanTimings Sandbox = new(
        ApiCall: new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)),
        Release: new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(15)),
        ProvisioningMultiTenant: new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)),
        ProvisioningDedicated: new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)),
        CatchUp: new(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1)),
        Destroy: new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)));
}
