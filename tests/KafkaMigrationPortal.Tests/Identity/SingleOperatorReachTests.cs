using System.Net;
using KafkaMigrationPortal.Engine.Storage;
using KafkaMigrationPortal.Features.Identity;
using Microsoft.Extensions.Configuration;

namespace KafkaMigrationPortal.Tests.Identity;

/// <summary>Single-operator mode gives whoever reaches the portal every role: it must listen on this machine only.</summary>
public sealed class SingleOperatorReachTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => (string?)s.Value)).Build();

    [Theory]
    [InlineData("http://localhost:5000")]
    [InlineData("https://LOCALHOST:5001")]
    [InlineData("http://127.0.0.1:0")]
    [InlineData("http://127.8.9.10:8080")]
    [InlineData("http://[::1]:5000")]
    [InlineData("http://[::ffff:127.0.0.1]:5000")]
    [InlineData("http://localhost:5000/base")]
    public void Loopback_addresses_are_loopback(string url) => Assert.True(ListenAddress.IsLoopbackUrl(url));

    [Theory]
    [InlineData("http://0.0.0.0:5000")]
    [InlineData("http://[::]:5000")]
    [InlineData("http://*:5000")]
    [InlineData("http://+:5000")]
    [InlineData("http://192.168.1.20:5000")]
    [InlineData("http://[fe80::1]:5000")]
    [InlineData("http://portal.example.com:5000")]
    [InlineData("http://localhost.example.com:5000")]
    [InlineData("http://128.0.0.1:5000")]
    [InlineData("http://unix:/tmp/portal.sock")]
    public void Every_other_address_is_not(string url) => Assert.False(ListenAddress.IsLoopbackUrl(url));

    [Fact]
    public void Nothing_configured_is_Kestrels_default_on_localhost()
    {
        var address = Assert.Single(SingleOperatorReach.From(Configuration()));
        Assert.Equal(SingleOperatorReach.DefaultUrl, address.Url);
        SingleOperatorReach.EnsureOnlyThisMachine(Configuration());
    }

    [Fact]
    public void The_Procfiles_urls_are_refused_naming_the_setting_and_the_way_out()
    {
        var refused = Assert.Throws<PortalConfigurationException>(() =>
            SingleOperatorReach.EnsureOnlyThisMachine(Configuration(("urls", "http://0.0.0.0:41234"))));

        Assert.Contains("http://0.0.0.0:41234", refused.Message);
        Assert.Contains("ASPNETCORE_URLS", refused.Message);
        Assert.Contains(SignInSettings.ClientIdKey, refused.Message);
        Assert.DoesNotContain('\n', refused.Message);
    }

    [Fact]
    public void One_exposed_address_among_loopback_ones_is_enough_to_refuse() =>
        Assert.Throws<PortalConfigurationException>(() =>
            SingleOperatorReach.EnsureOnlyThisMachine(Configuration(("urls", "http://localhost:5000;http://[::]:5001"))));

    [Fact]
    public void Kestrel_endpoints_replace_the_urls_as_Kestrel_does()
    {
        var configuration = Configuration(("urls", "http://127.0.0.1:5000"), ("Kestrel:Endpoints:Public:Url", "http://0.0.0.0:8080"));

        var refused = Assert.Throws<PortalConfigurationException>(() => SingleOperatorReach.EnsureOnlyThisMachine(configuration));
        Assert.Contains("Kestrel__Endpoints__Public__Url", refused.Message);
        SingleOperatorReach.EnsureOnlyThisMachine(Configuration(("urls", "http://0.0.0.0:5000"), ("Kestrel:Endpoints:Local:Url", "http://localhost:8080")));
    }

    [Fact]
    public void Container_ports_listen_everywhere_unless_urls_replace_them()
    {
        var refused = Assert.Throws<PortalConfigurationException>(() => SingleOperatorReach.EnsureOnlyThisMachine(Configuration(("http_ports", "8080"))));
        Assert.Contains("ASPNETCORE_HTTP_PORTS", refused.Message);
        Assert.Throws<PortalConfigurationException>(() => SingleOperatorReach.EnsureOnlyThisMachine(Configuration(("https_ports", "8443"))));
        SingleOperatorReach.EnsureOnlyThisMachine(Configuration(("http_ports", "8080"), ("urls", "http://127.0.0.1:8080")));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.1.2.3", false)]
    [InlineData("203.0.113.7", false)]
    [InlineData("::ffff:203.0.113.7", false)]
    [InlineData("2001:db8::7", false)]
    public void A_request_is_from_this_machine_only_from_a_loopback_address(string remote, bool expected) =>
        Assert.Equal(expected, SingleOperatorReach.IsFromThisMachine(IPAddress.Parse(remote)));

    [Fact]
    public void An_in_process_request_without_a_remote_address_is_from_this_machine() =>
        Assert.True(SingleOperatorReach.IsFromThisMachine(null));
}
