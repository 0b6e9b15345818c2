namespace KafkaMigrationPortal.Tests.Execution.Proofs;

/// <summary>
/// The proofs that run the portal as child processes (<see cref="ProcessCluster"/>) take turns with each other, for
/// the machine's sake, but not with the in-process portal hosts: nothing of theirs is shared in this process (each
/// host has its own Hangfire storage), and most of their time is spent waiting out leases and retention.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PortalProcessCollection
{
    public const string Name = "Portal processes";
}
