namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>
/// Who asks the engine to act: the portal user's id where there is one (separation of duties compares it, so a
/// changed e-mail address does not make a starter someone else) and the name the run's history shows.
/// </summary>
public sealed record RunActor(Guid? UserId, string Name)
{
    /// <summary>An actor known by name only: the engine itself, a script, a test.</summary>
    public static implicit operator RunActor(string name) => new(null, name);

    public bool StartedRun(MigrationRun run) => IsSamePerson(run.StartedByUserId, run.StartedBy);

    public bool IsSamePerson(Guid? userId, string name) =>
        UserId is { } mine && userId is { } theirs ? mine == theirs : string.Equals(Name, name, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => Name;
}
