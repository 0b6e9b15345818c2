using Microsoft.Playwright;

namespace KafkaMigrationPortal.EndToEnd.Tests;

/// <summary>What a page should never show a developer's console: script errors, console errors and warnings, failed requests.</summary>
public static class BrowserComplaints
{
    /// <summary>Collects the page's complaints from now on, each as one line naming what and where.</summary>
    public static IReadOnlyCollection<string> Watch(IPage page)
    {
        var complaints = new System.Collections.Concurrent.ConcurrentQueue<string>();
        page.PageError += (_, error) => complaints.Enqueue($"script error: {error}");
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning") complaints.Enqueue($"console {message.Type} on {page.Url}: {message.Text}");
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400) complaints.Enqueue($"{response.Status} for {response.Request.Method} {response.Url}");
        };
        return complaints;
    }
}
