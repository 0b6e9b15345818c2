namespace KafkaMigrationPortal.Sandbox.Dynos;

/// <summary>
/// The sandbox's books: every message id the simulated producers got acknowledged and every delivery the simulated
/// consumers received, per app and (unprefixed) topic. A migration that loses data leaves ids in
/// <see cref="LedgerTopicReport.MissingIds"/>; one that replays data shows up in <see cref="LedgerTopicReport.Duplicates"/>.
/// </summary>
public sealed class Ledger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string App, string Topic), TopicBook> _books = [];

    /// <param name="cluster">Which cluster acknowledged it: the add-on id when known, else the attachment name.</param>
    public void RecordProduced(string app, string topic, string cluster, string messageId)
    {
        lock (_gate)
        {
            var book = Book(app, topic);
            book.Produced.Add(messageId);
            if (!book.ProducedPerCluster.TryGetValue(cluster, out var ids))
                book.ProducedPerCluster[cluster] = ids = new HashSet<string>(StringComparer.Ordinal);
            ids.Add(messageId);
        }
    }

    /// <summary>Counts every delivery to a consumer, including the ones it skipped as already processed.</summary>
    public void RecordConsumed(string app, string topic, string messageId)
    {
        lock (_gate)
        {
            var deliveries = Book(app, topic).Deliveries;
            deliveries[messageId] = deliveries.GetValueOrDefault(messageId) + 1;
        }
    }

    /// <param name="maxMissingIds">Caps the id list (not the count) so a large loss still gives a readable answer.</param>
    public LedgerReport Report(string app, int maxMissingIds = 1000)
    {
        lock (_gate)
        {
            var topics = _books
                .Where(entry => entry.Key.App == app)
                .OrderBy(entry => entry.Key.Topic, StringComparer.Ordinal)
                .Select(entry => entry.Value.Report(entry.Key.Topic, maxMissingIds))
                .ToList();
            return new LedgerReport(app, topics);
        }
    }

    public IReadOnlyList<LedgerReport> ReportAll(int maxMissingIds = 1000)
    {
        List<string> apps;
        lock (_gate) apps = [.. _books.Keys.Select(k => k.App).Distinct().Order(StringComparer.Ordinal)];
        return [.. apps.Select(app => Report(app, maxMissingIds))];
    }

    /// <summary>Forgets an app's books (app destroyed, or a test starting over).</summary>
    public void Clear(string app)
    {
        lock (_gate)
            foreach (var key in _books.Keys.Where(k => k.App == app).ToList())
                _books.Remove(key);
    }

    private TopicBook Book(string app, string topic)
    {
        if (!_books.TryGetValue((app, topic), out var book)) _books[(app, topic)] = book = new TopicBook();
        return book;
    }

    private sealed class TopicBook
    {
        public HashSet<string> Produced { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, HashSet<string>> ProducedPerCluster { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, int> Deliveries { get; } = new(StringComparer.Ordinal);

        public LedgerTopicReport Report(string topic, int maxMissingIds)
        {
            var missing = Produced.Where(id => !Deliveries.ContainsKey(id)).ToList();
            return new LedgerTopicReport(
                topic,
                Produced.Count,
                ProducedPerCluster.ToDictionary(c => c.Key, c => c.Value.Count, StringComparer.Ordinal),
                Deliveries.Count,
                Deliveries.Count(d => d.Value > 1),
                Deliveries.Sum(d => d.Value - 1),
                missing.Count,
                [.. missing.OrderBy(id => id.Length).ThenBy(id => id, StringComparer.Ordinal).Take(maxMissingIds)]);
        }
    }
}

public sealed record LedgerReport(string App, IReadOnlyList<LedgerTopicReport> Topics)
{
    public bool NothingMissing => Topics.All(t => t.MissingCount == 0);

    /// <summary>Counts per topic and the first missing ids, so a failed audit names what was lost.</summary>
    public override string ToString() => $"{App}: " + string.Join("; ", Topics.Select(t =>
        $"{t.Topic} produced {t.Produced} ({string.Join(", ", t.ProducedPerCluster.Select(c => $"{c.Key}: {c.Value}"))}), " +
        $"consumed {t.Consumed}, missing {t.MissingCount}" +
        (t.MissingCount > 0 ? $" [{string.Join(", ", t.MissingIds.Take(10))}]" : "") +
        $", duplicates {t.Duplicates}"));
}

/// <param name="Topic">Unprefixed, as the app names it.</param>
/// <param name="Produced">Distinct ids acknowledged by at least one cluster.</param>
/// <param name="ProducedPerCluster">Distinct ids acknowledged, per cluster (add-on id, or attachment name if unknown).</param>
/// <param name="Consumed">Distinct ids delivered to a consumer at least once.</param>
/// <param name="Duplicates">Distinct ids delivered more than once.</param>
/// <param name="DuplicateDeliveries">Deliveries beyond the first, over all ids.</param>
/// <param name="MissingCount">Produced but never delivered.</param>
/// <param name="MissingIds">The first of those ids, in production order.</param>
public sealed record LedgerTopicReport(
    string Topic,
    int Produced,
    IReadOnlyDictionary<string, int> ProducedPerCluster,
    int Consumed,
    int Duplicates,
    int DuplicateDeliveries,
    int MissingCount,
    IReadOnlyList<string> MissingIds);
