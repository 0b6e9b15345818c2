using Bunit;
using Bunit.TestDoubles;
using KafkaMigrationPortal.Components.Shared;
using KafkaMigrationPortal.Features.Connections;
using KafkaMigrationPortal.Heroku;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace KafkaMigrationPortal.Tests.Components;

/// <summary>The one bunit context every component test uses: MudBlazor services without transitions, loose JS.</summary>
public abstract class PortalTestContext : BunitContext, IAsyncLifetime
{
    // bunit's default of one second is a timing assumption that a loaded machine breaks; a wait ends as soon as it holds.
    static PortalTestContext() => DefaultWaitTimeout = TimeSpan.FromSeconds(30);

    protected PortalTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices(options =>
        {
            options.SnackbarConfiguration.ShowTransitionDuration = 0;
            options.SnackbarConfiguration.HideTransitionDuration = 0;
            options.PopoverOptions.CheckForPopoverProvider = false;
        });
        Services.AddSingleton(SandboxConnection);
        Services.AddScoped<ViewerTime>();
        Authorization = AddAuthorization();
        Authorization.SetAuthorized("alice@example.com");
    }

    /// <summary>Who the rendered components see as signed in; tests change it.</summary>
    protected BunitAuthorizationContext Authorization { get; }

    public static HerokuConnection SandboxConnection { get; } =
        new(HerokuConnectionMode.Sandbox, new StaticTokenCredential("sandbox-token", "sandbox user"));

    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor registers services that can only be disposed asynchronously; xunit v2 calls this before Dispose.
    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();

    /// <summary>Popovers and dialogs need their providers in the tree; render them beside the component under test.</summary>
    protected void RenderProviders()
    {
        Render<MudPopoverProvider>();
        Render<MudDialogProvider>();
    }
}
