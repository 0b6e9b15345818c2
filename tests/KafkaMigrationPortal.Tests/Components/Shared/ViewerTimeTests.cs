using Bunit;
using KafkaMigrationPortal.Components.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaMigrationPortal.Tests.Components.Shared;

public sealed class ViewerTimeTests : PortalTestContext
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-07-01T21:30:00Z");

    [Fact]
    public void Times_are_shown_in_the_browsers_zone_once_it_is_read()
    {
        JSInterop.Setup<string?>("portalTime.zone").SetResult("America/New_York");
        var viewer = Services.GetRequiredService<ViewerTime>();
        var changed = 0;
        viewer.Changed += () => changed++;

        Render<ViewerTimeZone>();

        Assert.Equal("America/New_York", viewer.ZoneName);
        Assert.Equal(1, changed);
        // 21:30 UTC is 17:30 in New York in July (daylight saving time).
        Assert.Equal("17:30", viewer.Clock(Now, Now));
    }

    [Fact]
    public void An_unknown_zone_keeps_utc()
    {
        var viewer = new ViewerTime();

        viewer.Use("Mars/Olympus_Mons");

        Assert.Equal("UTC", viewer.ZoneName);
        Assert.Equal("21:30", viewer.Clock(Now, Now));
    }

    [Fact]
    public void Another_day_names_the_date_and_relative_times_say_how_far_in_words()
    {
        var viewer = new ViewerTime();
        viewer.Use("Europe/Berlin");

        // 21:30 UTC is 23:30 in Berlin: an hour later is tomorrow there.
        Assert.Equal("in 1 hour, at Jul 2, 00:30", viewer.Relative(Now + TimeSpan.FromHours(1), Now));
        Assert.Equal("25 minutes ago, at 23:05", viewer.Relative(Now - TimeSpan.FromMinutes(25), Now));
        Assert.Equal("in 4 minutes 20 seconds, at 23:34", viewer.Relative(Now + TimeSpan.FromSeconds(260), Now));
        Assert.Equal("Jul 1 2025, 23:30", viewer.Clock(Now.AddYears(-1), Now));
    }
}
