using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Heroku;
using KafkaMigrationPortal.Heroku.Platform;

namespace KafkaMigrationPortal.Engine.Execution;

public sealed class AttachExecutor : StepExecutor<Attach>
{
    protected override async Task<StepOutcome> ExecuteAsync(StepContext context, Attach action)
    {
        var addonId = context.RequireAddonId(action.Addon).ToString();
        var attachments = await context.Platform.ListAttachmentsAsync(context.App, context.CancellationToken);
        var named = attachments.FirstOrDefault(a => a.Name == action.As);
        if (named is not null && SameId(named.Addon.Id, addonId))
        {
            await context.LogAsync(RunEventKinds.Reconciled, $"{named.Addon.Name} is already attached as {action.As}.");
            return Done($"{named.Addon.Name} is already attached as {action.As}.");
        }

        if (named is not null && !action.Confirm)
        {
            return Failed($"{action.As} is attached to {named.Addon.Name}, and this step may not overwrite it.");
        }

        try
        {
            var attached = await context.MutateAsync(
                "Attach add-on",
                $"POST /addon-attachments addon={addonId} app={context.App} name={action.As} confirm={(action.Confirm ? "yes" : "no")}",
                ct => context.Platform.AttachAsync(new HerokuAttachmentCreate(addonId, context.App, action.As, action.Confirm ? context.App : null), ct),
                a => $"{a.Addon.Name} attached as {a.Name} ({a.Id})");
            return Done($"{attached.Addon.Name} is attached as {attached.Name}.");
        }
        catch (HerokuApiException e) when (e.IsConfirmationRequired)
        {
            return Failed($"Heroku asks for confirmation to overwrite {action.As}, and this step may not overwrite it.");
        }
    }

    internal static bool SameId(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}

public sealed class DetachExecutor : StepExecutor<Detach>
{
    protected override async Task<StepOutcome> ExecuteAsync(StepContext context, Detach action)
    {
        var addonId = context.AddonId(action.Addon)?.ToString();
        var attachments = await context.Platform.ListAttachmentsAsync(context.App, context.CancellationToken);
        var named = attachments.FirstOrDefault(a => a.Name == action.AttachmentName);
        if (named is null || addonId is null || !AttachExecutor.SameId(named.Addon.Id, addonId))
        {
            // Absent, or the name now belongs to the other add-on: never detach that.
            var why = named is null ? $"no attachment is named {action.AttachmentName}" : $"{action.AttachmentName} points at {named.Addon.Name}, not the {Role(action.Addon)}";
            await context.LogAsync(RunEventKinds.Reconciled, $"Nothing to detach: {why}.");
            return Done($"Nothing to detach: {why}.");
        }

        try
        {
            await context.MutateAsync(
                "Detach add-on",
                $"DELETE /addon-attachments/{named.Id} ({action.AttachmentName} of {named.Addon.Name})",
                ct => context.Platform.DetachAsync(named.Id, ct),
                a => $"{a.Name} detached");
        }
        catch (HerokuApiException e) when (e.IsNotFound)
        {
            return Done($"{action.AttachmentName} was already detached.");
        }

        return Done($"Detached {action.AttachmentName} from {named.Addon.Name}.");
    }
}
