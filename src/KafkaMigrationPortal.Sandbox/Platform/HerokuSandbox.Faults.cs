namespace KafkaMigrationPortal.Sandbox.Platform;

public sealed partial class HerokuSandbox
{
    private SandboxFaults? _faults;
    private Random? _faultRandom;

    /// <summary>The faults in force for this run.</summary>
    public SandboxFaults CurrentFaults
    {
        get
        {
            lock (_gate)
            {
                return _faults ??= Validated(_options.Faults);
            }
        }
    }

    public SandboxFaults SetFaults(SandboxFaults faults)
    {
        var validated = Validated(faults);
        lock (_gate)
        {
            _faults = validated;
            _faultRandom = validated.Seed is { } seed ? new Random(seed) : new Random();
            return validated;
        }
    }

    /// <summary>Decides whether this call is answered with an injected 429 or 500, and how long it is held first.</summary>
    internal (TimeSpan Latency, int? FailWith) DrawFault()
    {
        lock (_gate)
        {
            var faults = _faults ??= Validated(_options.Faults);
            _faultRandom ??= faults.Seed is { } seed ? new Random(seed) : new Random();
            var draw = _faultRandom.NextDouble();
            int? failWith = draw < faults.RateLimitShare ? 429
                : draw < faults.RateLimitShare + faults.ServerErrorShare ? 500
                : null;
            return (TimeSpan.FromMilliseconds(faults.LatencyMs), failWith);
        }
    }

    private static SandboxFaults Validated(SandboxFaults faults)
    {
        if (faults.RateLimitShare is < 0 or > 1 || faults.ServerErrorShare is < 0 or > 1
            || faults.RateLimitShare + faults.ServerErrorShare > 1)
        {
            throw Http.SandboxApiException.InvalidParams("Fault shares must be between 0 and 1 and add up to at most 1.");
        }

        if (faults.LatencyMs is < 0 or > 60_000)
        {
            throw Http.SandboxApiException.InvalidParams("latency_ms must be between 0 and 60000.");
        }

        return faults;
    }
}
