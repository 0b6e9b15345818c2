using System.Text.Json.Nodes;

namespace KafkaMigrationPortal.Heroku.Tests.Infrastructure;

/// <summary>Recorded-style Heroku responses in <c>Examples/</c>: every declared property present, null where empty.</summary>
public static class Examples
{
    public static string Text(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Examples", name));

    public static JsonNode Json(string name) => JsonNode.Parse(Text(name))!;

    /// <summary>The example as the one element of a list response.</summary>
    public static string AsList(string name) => new JsonArray(Json(name)).ToJsonString();
}
