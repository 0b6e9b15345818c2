using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Heroku.Platform;

namespace KafkaMigrationPortal.Engine.Execution;

public sealed class ProvisionAddonExecutor : StepExecutor<ProvisionAddon>
{
    protected override async Task<StepOutcome> ExecuteAsync(StepContext context, ProvisionAddon action)
    {
        var plan = KafkaPlans.Normalize(action.Plan);
        var attachments = await context.Platform.ListAttachmentsAsync(context.App, context.CancellationToken);
        var existing = attachments.FirstOrDefault(a => a.Name == action.AttachmentName);
        if (existing is not null)
        {
            var addon = await context.Platform.GetAddOnAsync(existing.Addon.Id, context.CancellationToken);
            var isSource = Guid.TryParse(addon.Id, out var id) && id == context.AddonId(AddonRole.Source);
            if (isSource || KafkaPlans.Normalize(addon.Plan.Name) != plan)
            {
                return Failed($"{action.AttachmentName} is already attached to {addon.Name} ({addon.Plan.Name}), not to a new {plan} add-on: free the name or change the plan.");
            }

            if (action.AddonName is { } planned && addon.Name != planned)
            {
                return Failed($"{action.AttachmentName} is already attached to {addon.Name}, not to {planned}, the add-on this plan creates: free the name or plan again.");
            }

            // Created earlier (by this run, before a crash or a failed answer): adopt it instead of creating another.
            await Record(context, addon);
            await context.LogAsync(RunEventKinds.Reconciled, $"{addon.Name} ({addon.Plan.Name}) is already attached as {action.AttachmentName}: adopted, nothing created.");
            return Done($"Adopted {addon.Name}, already attached as {action.AttachmentName}.");
        }

        var created = await context.MutateAsync(
            "Create add-on",
            $"POST /apps/{context.App}/addons plan={plan} attachment={action.AttachmentName}{(action.AddonName is { } name ? $" name={name}" : "")}",
            ct => context.Platform.CreateAddOnAsync(context.App, new HerokuAddOnCreate(plan, new HerokuAttachmentName(action.AttachmentName), Name: action.AddonName), ct),
            a => $"{a.Name} ({a.Id}) state={a.State}");
        await Record(context, created);
        return Done($"Created {created.Name} ({plan}) as {action.AttachmentName}.");
    }

    private static async Task Record(StepContext context, HerokuAddOn addon)
    {
        context.Run.TargetAddonId = Guid.Parse(addon.Id);
        context.Run.TargetAddonName = addon.Name;
        await context.SaveAsync();
    }
}

public sealed class WaitForProvisioningExecutor : StepExecutor<WaitForProvisioning>
{
    protected override async Task<StepOutcome> ExecuteAsync(StepContext context, WaitForProvisioning action)
    {
        var id = context.RequireAddonId(action.Addon).ToString();
        var addon = await context.Platform.GetAddOnAsync(id, context.CancellationToken);
        switch (addon.State)
        {
            case HerokuAddOnStates.Deprovisioned or HerokuAddOnStates.Deprovisioning:
                return Failed($"{addon.Name} failed to provision (state {addon.State}).");
            case not HerokuAddOnStates.Provisioned:
                return Wait(context, context.Options.ProvisioningPollInterval, $"{addon.Name} is {addon.State}.");
        }

        try
        {
            var status = await context.Kafka.GetWaitStatusAsync(id, context.CancellationToken);
            if (status.Error == true) return Failed($"{addon.Name}: the Kafka data API reports an error: {status.Message}");
            if (status.Waiting) return Wait(context, context.Options.ProvisioningPollInterval, $"{addon.Name}: {status.Message ?? "the cluster is not ready"}.");
        }
        catch (HerokuApiException e) when (e.IsNotFound)
        {
            return Wait(context, context.Options.ProvisioningPollInterval, $"{addon.Name}: the Kafka data API does not know the cluster yet.");
        }

        return Done($"{addon.Name} is provisioned and its cluster is ready.");
    }
}

/// <summary>
/// Destroys an add-on and waits, as a durable re-check, until Heroku reports it gone: Heroku destroys add-ons in the
/// background (<c>deprovisioning</c>, 404 later). Forced only for the other apps the plan named and the approver saw.
/// </summary>
public sealed class DestroyAddonExecutor : StepExecutor<DestroyAddon>
{
    private const string GoneWait = "waiting until Heroku reports it gone";

    protected override async Task<StepOutcome> ExecuteAsync(StepContext context, DestroyAddon action)
    {
        if (context.AddonId(action.Addon) is not { } id)
        {
            return Done($"The {Role(action.Addon)} was never created: nothing to destroy.");
        }

        var awaitedGone = context.Step.WaitReason?.Contains(GoneWait, StringComparison.Ordinal) == true;
        HerokuAddOn addon;
        try
        {
            addon = await context.Platform.GetAddOnAsync(id.ToString(), context.CancellationToken);
        }
        catch (HerokuApiException e) when (e.IsNotFound)
        {
            if (awaitedGone) return Done($"The {Role(action.Addon)} is gone.");
            await context.LogAsync(RunEventKinds.Reconciled, $"The {Role(action.Addon)} ({id}) no longer exists.");
            return Done($"The {Role(action.Addon)} is already gone.");
        }

        switch (addon.State)
        {
            case HerokuAddOnStates.Deprovisioned:
                return Done($"{addon.Name} is deprovisioned.");
            case HerokuAddOnStates.Deprovisioning:
                return StillGoing(context, addon);
        }

        var others = (await context.Platform.ListAttachmentsOfAddOnAsync(addon.Id, context.CancellationToken))
            .Select(a => a.App.Name)
            .Where(app => !string.Equals(app, context.App, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        var unnamed = others.Except(action.OtherApps, StringComparer.Ordinal).ToList();
        if (unnamed.Count > 0)
        {
            return Failed($"{addon.Name} is now also attached to {string.Join(", ", unnamed)}, which the approved plan does not name: destroying it would remove it from there too. Detach it there, or plan the migration again.");
        }

        var force = others.Count > 0;
        HerokuAddOn destroyed;
        try
        {
            destroyed = await context.MutateAsync(
                "Destroy add-on",
                $"DELETE /apps/{context.App}/addons/{addon.Name}{(force ? $" force=true (also attached to {string.Join(", ", others)})" : "")}",
                ct => force
                    ? context.Platform.ForceDestroyAddOnAsync(context.App, addon.Id, new HerokuAddOnDestroy(Force: true), ct)
                    : context.Platform.DestroyAddOnAsync(context.App, addon.Id, ct),
                a => $"{a.Name} state={a.State}");
        }
        catch (HerokuApiException e) when (e.IsNotFound)
        {
            return Done($"{addon.Name} was already gone.");
        }

        return destroyed.State == HerokuAddOnStates.Deprovisioning
            ? StillGoing(context, destroyed)
            : Done($"Destroyed {addon.Name}{(force ? $", also from {string.Join(", ", others)}" : "")}.");
    }

    private static StepOutcome StillGoing(StepContext context, HerokuAddOn addon) =>
        Wait(context, context.Options.ProvisioningPollInterval, $"{addon.Name} is deprovisioning: {GoneWait}.");
}
