using KafkaMigrationPortal.AppClient;

namespace KafkaMigrationPortal.Engine.KafkaChecks;

/// <summary>
/// Connections to clusters kept between checks, so that a check repeated every few seconds (the run page's Kafka panel,
/// a gate's live check, a catch-up wait) pays for bootstrap, TLS handshakes and coordinator lookups once instead of every
/// time. A connection is lent to one check at a time, kept only after a check that succeeded, keyed by every value of
/// its attachment (a rotated certificate is a new connection), and closed once unused for
/// <see cref="KafkaChecksOptions.IdleConnectionLifetime"/>.
/// </summary>
internal sealed class ClusterConnections : IDisposable
{
    private readonly KafkaChecksOptions options;
    private readonly TimeProvider time;
    private readonly Dictionary<HerokuKafkaAttachment, Stack<(InspectedCluster Cluster, DateTimeOffset ReturnedAt)>> idle = [];
    private readonly ITimer? sweeper;
    private bool disposed;

    public ClusterConnections(KafkaChecksOptions options, TimeProvider time)
    {
        this.options = options;
        this.time = time;
        if (options.IdleConnectionLifetime > TimeSpan.Zero)
            sweeper = time.CreateTimer(_ => CloseIdle(), null, options.IdleConnectionLifetime, options.IdleConnectionLifetime);
    }

    /// <summary>How many connections wait to be lent again.</summary>
    public int IdleCount
    {
        get
        {
            lock (idle) return idle.Values.Sum(s => s.Count);
        }
    }

    /// <summary>A kept connection to the attachment's cluster, or a new one; either way connected by the check itself.</summary>
    public InspectedCluster Rent(HerokuKafkaAttachment attachment)
    {
        lock (idle)
        {
            if (idle.TryGetValue(attachment, out var kept) && kept.TryPop(out var entry)) return entry.Cluster;
        }
        return new InspectedCluster(attachment, options);
    }

    /// <param name="keep">False after a check that failed: its connection is closed, and the next check starts afresh.</param>
    public void Return(InspectedCluster cluster, bool keep)
    {
        if (keep && options.IdleConnectionLifetime > TimeSpan.Zero)
        {
            lock (idle)
            {
                if (!disposed)
                {
                    if (!idle.TryGetValue(cluster.Attachment, out var kept)) idle[cluster.Attachment] = kept = new();
                    kept.Push((cluster, time.GetUtcNow()));
                    return;
                }
            }
        }
        cluster.Dispose();
    }

    /// <summary>Closes every connection unused for the idle lifetime.</summary>
    public void CloseIdle()
    {
        var closing = new List<InspectedCluster>();
        var before = time.GetUtcNow() - options.IdleConnectionLifetime;
        lock (idle)
        {
            foreach (var (attachment, kept) in idle.ToList())
            {
                var staying = kept.Where(e => e.ReturnedAt > before).Reverse().ToList();
                closing.AddRange(kept.Where(e => e.ReturnedAt <= before).Select(e => e.Cluster));
                if (staying.Count == 0) idle.Remove(attachment);
                else idle[attachment] = new(staying);
            }
        }
        foreach (var cluster in closing) cluster.Dispose();
    }

    public void Dispose()
    {
        sweeper?.Dispose();
        List<InspectedCluster> all;
        lock (idle)
        {
            disposed = true;
            all = [.. idle.Values.SelectMany(s => s.Select(e => e.Cluster))];
            idle.Clear();
        }
        foreach (var cluster in all) cluster.Dispose();
    }
}
