using KafkaMigrationPortal.Sandbox.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static KafkaMigrationPortal.Sandbox.Http.PlatformApiEndpoints;

namespace KafkaMigrationPortal.Sandbox.KafkaData;

/// <summary>The Kafka data API (api.data.heroku.com) under <c>/data/kafka/v0/clusters/{addon uuid}</c>: only the calls
/// Heroku has (no per-topic GET, no group name in a DELETE path).</summary>
internal static class KafkaDataApiEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var clusters = api.MapGroup("/data/kafka/v0/clusters/{cluster}");
        clusters.MapGet("", (HttpContext h, string cluster) => Ok(h, (s, c) => s.GetCluster(c, cluster)));
        clusters.MapGet("/wait_status", (HttpContext h, string cluster) => Ok(h, (s, c) => s.GetWaitStatus(c, cluster)));
        clusters.MapGet("/topics", (HttpContext h, string cluster) => Ok(h, (s, c) => s.ListTopics(c, cluster)));
        clusters.MapPost("/topics", (HttpContext h, string cluster) => Ok(h, (s, c) => s.CreateTopic(c, cluster, Body(h))));
        clusters.MapPut("/topics/{topic}", (HttpContext h, string cluster, string topic) => Ok(h, (s, c) => s.UpdateTopic(c, cluster, topic, Body(h))));
        clusters.MapDelete("/topics/{topic}", (HttpContext h, string cluster, string topic) => Ok(h, (s, c) => s.DeleteTopic(c, cluster, topic)));
        clusters.MapGet("/consumer_groups", (HttpContext h, string cluster) => Ok(h, (s, c) => s.ListConsumerGroups(c, cluster)));
        clusters.MapPost("/consumer_groups", (HttpContext h, string cluster) => Ok(h, (s, c) => s.CreateConsumerGroup(c, cluster, Body(h))));
        clusters.MapDelete("/consumer_groups", (HttpContext h, string cluster) => Ok(h, (s, c) => s.DeleteConsumerGroup(c, cluster, Body(h))));
    }
}
