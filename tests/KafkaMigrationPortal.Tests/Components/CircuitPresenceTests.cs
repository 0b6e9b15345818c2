using KafkaMigrationPortal.Components.Shared;

namespace KafkaMigrationPortal.Tests.Components;

/// <summary>Timed reads of a page (the run's re-read, the Kafka panel) wait while its browser is away and end with its circuit.</summary>
public sealed class CircuitPresenceTests
{
    private readonly CircuitPresence presence = new();

    [Fact]
    public async Task Outside_a_disconnection_reads_go_ahead_at_once()
    {
        Assert.True(presence.IsConnected);
        Assert.True(await presence.WaitUntilConnectedAsync());
    }

    [Fact]
    public async Task A_read_while_the_browser_is_away_waits_until_it_is_back()
    {
        await presence.OnConnectionDownAsync(null!, CancellationToken.None);

        var waiting = presence.WaitUntilConnectedAsync();

        Assert.False(presence.IsConnected);
        Assert.False(waiting.IsCompleted);
        await presence.OnConnectionUpAsync(null!, CancellationToken.None);
        Assert.True(await waiting);
    }

    [Fact]
    public async Task Once_the_circuit_has_gone_a_waiting_read_and_every_later_one_are_skipped()
    {
        await presence.OnConnectionDownAsync(null!, CancellationToken.None);
        var waiting = presence.WaitUntilConnectedAsync();

        await presence.OnCircuitClosedAsync(null!, CancellationToken.None);

        Assert.False(await waiting);
        Assert.False(await presence.WaitUntilConnectedAsync());
        Assert.False(presence.IsConnected);
    }

    [Fact]
    public async Task A_waiting_read_ends_when_its_component_cancels_it()
    {
        await presence.OnConnectionDownAsync(null!, CancellationToken.None);
        using var closing = new CancellationTokenSource();
        var waiting = presence.WaitUntilConnectedAsync(closing.Token);

        closing.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }
}
