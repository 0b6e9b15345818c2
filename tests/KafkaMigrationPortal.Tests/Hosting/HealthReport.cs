using System.Net.Http.Json;
using System.Text.Json.Nodes;
using KafkaMigrationPortal.TestSupport;

namespace KafkaMigrationPortal.Tests.Hosting;

internal static class HealthReport
{
    /// <summary>Reads /health until the job server has registered (it does so just after start-up).</summary>
    public static Task<JsonNode> WaitUntilHealthyAsync(HttpClient client) =>
        Deadline.PollAsync(
            async () => (await client.GetFromJsonAsync<JsonNode>("/health"))!,
            health => (string?)health["status"] == "Healthy",
            TimeSpan.FromSeconds(30),
            "/health reports Healthy");
}
