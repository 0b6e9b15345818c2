using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku.Platform;
using KafkaMigrationPortal.Sandbox.Control;
using KafkaMigrationPortal.TestSupport;

namespace KafkaMigrationPortal.Tests.Execution.Proofs;

/// <summary>Audits of what a run did to the sandbox, from its log of mutating calls and its message ledger.</summary>
public static class SideEffects
{
    /// <summary>
    /// Every mutating step of the plan made its Heroku change exactly once: as many successful calls of each kind as
    /// the plan has steps of that kind (a step finding its change already made makes none, so a re-run adds none).
    /// </summary>
    public static void AssertEachAppliedOnce(MigrationPlan plan, IReadOnlyList<SandboxMutation> mutations)
    {
        var applied = mutations.Where(m => m.Status < 400).ToList();
        var steps = plan.Steps.Select(s => s.Action).ToList();
        var app = plan.App;
        var expectations = new (string What, int Planned, int Made)[]
        {
            ("add-on creations", steps.OfType<ProvisionAddon>().Count(), applied.Count(m => m is { Method: "POST" } && m.Path == $"/apps/{app}/addons")),
            ("add-on destructions", steps.OfType<DestroyAddon>().Count(), applied.Count(m => m.Method == "DELETE" && m.Path.Contains("/addons/", StringComparison.Ordinal))),
            ("attachments", steps.OfType<Attach>().Count(), applied.Count(m => m.Method == "POST" && m.Path.EndsWith("/addon-attachments", StringComparison.Ordinal))),
            ("detachments", steps.OfType<Detach>().Count(), applied.Count(m => m.Method == "DELETE" && m.Path.Contains("/addon-attachments/", StringComparison.Ordinal))),
            ("config var changes", steps.OfType<SetConfigVars>().Count(), applied.Count(m => m.Method == "PATCH" && m.Path == $"/apps/{app}/config-vars")),
            ("maintenance switches", steps.OfType<SetMaintenance>().Count(), applied.Count(m => m.Method == "PATCH" && m.Path == $"/apps/{app}")),
            ("topic creations", steps.OfType<CreateTopics>().Sum(c => c.Topics.Count),
                applied.Count(m => m.Method == "POST" && m.Path.StartsWith("/data/kafka/", StringComparison.Ordinal) && m.Path.EndsWith("/topics", StringComparison.Ordinal))),
            ("formation changes", steps.Count(s => s is ScaleProcesses or RestoreFormation), applied.Count(m => m.Method == "PATCH" && m.Path == $"/apps/{app}/formation")),
        };
        var wrong = expectations.Where(e => e.Planned != e.Made).Select(e => $"{e.What}: planned {e.Planned}, made {e.Made}").ToList();
        Assert.True(wrong.Count == 0, "Side effects not applied exactly once: " + string.Join("; ", wrong) + "\n" +
            string.Join("\n", applied.Select(m => $"{m.Time:HH:mm:ss.fff} {m.Method} {m.Path} {m.Status}")));
    }

    /// <summary>Stops the producers, lets the consumers drain, and checks the ledger: every message produced was consumed.</summary>
    public static async Task AssertNoMessageLostAsync(ProcessCluster cluster)
    {
        await cluster.Platform.UpdateFormationAsync(ProcessCluster.App, new HerokuFormationBatchUpdate([new HerokuFormationUpdate("producer", 0)]));
        var ledger = await Deadline.PollAsync(cluster.LedgerAsync, r => r.NothingMissing, TimeSpan.FromSeconds(60), "every produced message is consumed");
        Assert.All(ledger.Topics, t => Assert.True(t.Produced > 50, $"{t.Topic}: only {t.Produced} messages flowed"));
        Assert.All(ledger.Topics, t => Assert.Equal(0, t.MissingCount));
    }
}
