using System.Text.Json;
using System.Text.Json.Serialization;
using KafkaMigrationPortal.Heroku.Http;
using KafkaMigrationPortal.Heroku.Kafka;
using KafkaMigrationPortal.Heroku.Platform;
using Microsoft.Extensions.Options;
using Refit;

namespace KafkaMigrationPortal.Heroku;

/// <summary>Hands out Heroku clients bound to one caller's credential. Cheap: call it per operation.</summary>
public interface IHerokuClientFactory
{
    IHerokuPlatformApi Platform(IHerokuCredential credential);

    IHerokuKafkaApi Kafka(IHerokuCredential credential);
}

internal sealed class HerokuClientFactory(IHttpMessageHandlerFactory handlers, IOptions<HerokuClientOptions> options) : IHerokuClientFactory
{
    internal const string PlatformClientName = "Heroku.Platform";
    internal const string KafkaClientName = "Heroku.Kafka";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // Optional request members (confirm, config, ...) are left out rather than sent as null. Dictionary values are
        // not affected, so a config-var PATCH still sends null to delete a key.
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly RefitSettings Settings = new(new SystemTextJsonContentSerializer(Json))
    {
        ExceptionFactory = async response => await HerokuErrors.FromResponseAsync(response),
        DeserializationExceptionFactory = async (response, error) => await HerokuErrors.FromDeserializationFailure(response, error),
        TransportExceptionFactory = HerokuErrors.PassThroughTransportFailure,
    };

    public IHerokuPlatformApi Platform(IHerokuCredential credential) =>
        RestService.For<IHerokuPlatformApi>(Client(PlatformClientName, options.Value.PlatformApiBaseUrl, credential), Settings);

    public IHerokuKafkaApi Kafka(IHerokuCredential credential) =>
        new HerokuKafkaApi(RestService.For<IHerokuKafkaDataApi>(Client(KafkaClientName, options.Value.KafkaApiBaseUrl, credential), Settings));

    private HttpClient Client(string name, Uri baseUrl, IHerokuCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        var stamping = new CredentialStampingHandler(credential, handlers.CreateHandler(name));
        // Timeouts are enforced by the resilience pipeline, per attempt and in total.
        return new HttpClient(stamping, disposeHandler: false) { BaseAddress = baseUrl, Timeout = Timeout.InfiniteTimeSpan };
    }
}
