using MudBlazor;

namespace KafkaMigrationPortal.Components.Layout;

public static class PortalTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3f3d99",
            Secondary = "#6b6f80",
            AppbarBackground = "#3f3d99",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#8c89ff",
            Secondary = "#a0a4b8",
        },
        LayoutProperties = new LayoutProperties { DrawerWidthLeft = "240px" },
    };
}
