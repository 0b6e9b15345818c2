namespace KafkaMigrationPortal.Sandbox.Dynos;

/// <summary>
/// The sandbox's books: every message id the simulated producers got acknowledged and every delivery the simulated
/// consumers received, per app, (unprefixed) topic and consumer group, with the time of each delivery. A migration that
/// loses data leaves ids in <see cref="LedgerTopicReport.MissingIds"/>; one that replays data shows up per group in
/// <see cref="LedgerTopicReport.Groups"/>: as deliveries the consumer received again, and as messages the app handled
/// again when its duplicate filter did not recognise them.
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

    /// <summary>Counts every delivery to a consumer, including the ones its filter skipped as already processed.</summary>
    /// <param name="consumerGroup">Unprefixed, as the app names it.</param>
    /// <param name="handled">The app handled the message; false when its duplicate filter skipped it.</param>
    /// <param name="at">When the consumer received it, on the sandbox's clock.</param>
    public void RecordConsumed(string app, string topic, string consumerGroup, string messageId, bool handled, DateTimeOffset at)
    {
        lock (_gate)
        {
            var book = Book(app, topic);
            if (!book.Groups.TryGetValue(consumerGroup, out var group))
                book.Groups[consumerGroup] = group = new Dictionary<string, List<Delivery>>(StringComparer.Ordinal);
            if (!group.TryGetValue(messageId, out var deliveries)) group[messageId] = deliveries = new List<Delivery>(1);
            deliveries.Add(new Delivery(at, handled));
        }
    }

    /// <param name="maxMissingIds">Caps the id list (not the count) so a large loss still gives a readable answer.</param>
    /// <param name="deliveredSince">
    /// When set, the per-group counts and the topic's duplicate counts cover only deliveries at or after this instant (a
    /// delivery still counts as a duplicate when the group received the id before it); a topic's produced, consumed and
    /// missing counts always cover everything.
    /// </param>
    public LedgerReport Report(string app, int maxMissingIds = 1000, DateTimeOffset? deliveredSince = null)
    {
        lock (_gate)
        {
            var topics = _books
                .Where(entry => entry.Key.App == app)
                .OrderBy(entry => entry.Key.Topic, StringComparer.Ordinal)
                .Select(entry => entry.Value.Report(entry.Key.Topic, maxMissingIds, deliveredSince))
                .ToList();
            return new LedgerReport(app, topics, deliveredSince);
        }
    }

    public IReadOnlyList<LedgerReport> ReportAll(int maxMissingIds = 1000, DateTimeOffset? deliveredSince = null)
    {
        List<string> apps;
        lock (_gate) apps = [.. _books.Keys.Select(k => k.App).Distinct().Order(StringComparer.Ordinal)];
        return [.. apps.Select(app => Report(app, maxMissingIds, deliveredSince))];
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

    private readonly record struct Delivery(DateTimeOffset At, bool Handled);

    private sealed class TopicBook
    {
        public HashSet<string> Produced { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, HashSet<string>> ProducedPerCluster { get; } = new(StringComparer.Ordinal);

        /// <summary>Per consumer group, per message id, its deliveries in the order they were recorded.</summary>
        public Dictionary<string, Dictionary<string, List<Delivery>>> Groups { get; } = new(StringComparer.Ordinal);

        public LedgerTopicReport Report(string topic, int maxMissingIds, DateTimeOffset? since)
        {
            var delivered = Groups.Values.SelectMany(g => g.Keys).ToHashSet(StringComparer.Ordinal);
            var missing = Produced.Where(id => !delivered.Contains(id)).ToList();
            var groups = Groups
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => GroupReport(g.Key, g.Value, since))
                .ToList();
            var duplicatedIds = Groups.Values
                .SelectMany(g => g.Where(id => CountsAsDuplicate(id.Value, since)).Select(id => id.Key))
                .ToHashSet(StringComparer.Ordinal);
            return new LedgerTopicReport(
                topic,
                Produced.Count,
                ProducedPerCluster.ToDictionary(c => c.Key, c => c.Value.Count, StringComparer.Ordinal),
                delivered.Count,
                duplicatedIds.Count,
                groups.Sum(g => g.DuplicateDeliveries),
                missing.Count,
                [.. missing.OrderBy(id => id.Length).ThenBy(id => id, StringComparer.Ordinal).Take(maxMissingIds)],
                groups);
        }

        private static bool InWindow(Delivery delivery, DateTimeOffset? since) => since is null || delivery.At >= since;

        private static bool CountsAsDuplicate(List<Delivery> deliveries, DateTimeOffset? since) =>
            deliveries.Skip(1).Any(d => InWindow(d, since));

        private static LedgerGroupReport GroupReport(string group, Dictionary<string, List<Delivery>> ids, DateTimeOffset? since)
        {
            int deliveries = 0, consumed = 0, duplicates = 0, duplicateDeliveries = 0, handledAgain = 0, repeatedHandlings = 0;
            foreach (var history in ids.Values)
            {
                int inWindow = 0, repeatsInWindow = 0, handlingsBefore = 0, rehandlingsInWindow = 0;
                for (var index = 0; index < history.Count; index++)
                {
                    var delivery = history[index];
                    var counted = InWindow(delivery, since);
                    if (counted)
                    {
                        inWindow++;
                        if (index > 0) repeatsInWindow++;
                        if (delivery.Handled && handlingsBefore > 0) rehandlingsInWindow++;
                    }
                    if (delivery.Handled) handlingsBefore++;
                }
                deliveries += inWindow;
                if (inWindow > 0) consumed++;
                duplicateDeliveries += repeatsInWindow;
                if (repeatsInWindow > 0) duplicates++;
                repeatedHandlings += rehandlingsInWindow;
                if (rehandlingsInWindow > 0) handledAgain++;
            }
            return new LedgerGroupReport(group, deliveries, consumed, duplicates, duplicateDeliveries, handledAgain, repeatedHandlings);
        }
    }
}

/// <param name="DeliveredSince">Set when the duplicate and per-group counts cover only deliveries from this instant on.</param>
public sealed record LedgerReport(string App, IReadOnlyList<LedgerTopicReport> Topics, DateTimeOffset? DeliveredSince = null)
{
    public bool NothingMissing => Topics.All(t => t.MissingCount == 0);

    /// <summary>Counts per topic and group and the first missing ids, so a failed audit names what was lost or replayed.</summary>
    public override string ToString() => $"{App}: " + string.Join("; ", Topics.Select(t =>
        $"{t.Topic} produced {t.Produced} ({string.Join(", ", t.ProducedPerCluster.Select(c => $"{c.Key}: {c.Value}"))}), " +
        $"consumed {t.Consumed}, missing {t.MissingCount}" +
        (t.MissingCount > 0 ? $" [{string.Join(", ", t.MissingIds.Take(10))}]" : "") +
        $", duplicates {t.Duplicates}" +
        (t.Groups.Count > 0 ? $" (per group{(DeliveredSince is { } since ? $" since {since:O}" : "")}: " + string.Join(", ", t.Groups.Select(g =>
            $"{g.ConsumerGroup} consumed {g.Consumed}, duplicates {g.Duplicates} in {g.DuplicateDeliveries} extra deliveries, " +
            $"handled again {g.HandledAgain} in {g.RepeatedHandlings} extra handlings")) + ")" : "")));
}

/// <param name="Topic">Unprefixed, as the app names it.</param>
/// <param name="Produced">Distinct ids acknowledged by at least one cluster.</param>
/// <param name="ProducedPerCluster">Distinct ids acknowledged, per cluster (add-on id, or attachment name if unknown).</param>
/// <param name="Consumed">Distinct ids delivered to at least one consumer group.</param>
/// <param name="Duplicates">Distinct ids some group received more than once (two groups reading an id once each is no duplicate).</param>
/// <param name="DuplicateDeliveries">Deliveries beyond each group's first, over all ids and groups.</param>
/// <param name="MissingCount">Produced but delivered to no group.</param>
/// <param name="MissingIds">The first of those ids, in production order.</param>
/// <param name="Groups">Per consumer group, by name.</param>
public sealed record LedgerTopicReport(
    string Topic,
    int Produced,
    IReadOnlyDictionary<string, int> ProducedPerCluster,
    int Consumed,
    int Duplicates,
    int DuplicateDeliveries,
    int MissingCount,
    IReadOnlyList<string> MissingIds,
    IReadOnlyList<LedgerGroupReport> Groups);

/// <summary>
/// One consumer group's deliveries of one topic. Every delivery counts, whether the app handled it or its duplicate
/// filter skipped it; <see cref="HandledAgain"/> and <see cref="RepeatedHandlings"/> count what the app re-processed.
/// </summary>
/// <param name="ConsumerGroup">Unprefixed, as the app names it.</param>
/// <param name="Deliveries">All deliveries.</param>
/// <param name="Consumed">Distinct ids delivered.</param>
/// <param name="Duplicates">Distinct ids delivered more than once.</param>
/// <param name="DuplicateDeliveries">Deliveries beyond each id's first.</param>
/// <param name="HandledAgain">Distinct ids the app handled more than once (its filter did not recognise a redelivery).</param>
/// <param name="RepeatedHandlings">Handlings beyond each id's first.</param>
public sealed record LedgerGroupReport(
    string ConsumerGroup,
    int Deliveries,
    int Consumed,
    int Duplicates,
    int DuplicateDeliveries,
    int HandledAgain,
    int RepeatedHandlings);
