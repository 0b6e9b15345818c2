using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace KafkaMigrationPortal.TestSupport.HerokuSchema;

/// <summary>
/// Validates Platform API requests and responses against Heroku's official hyper-schema
/// (<c>../shared/reference/heroku-platform-api.schema.json</c>, read at run time, never copied into the repo).
/// </summary>
/// <remarks>
/// The file is a draft-04 interagent hyper-schema; JsonSchema.Net reads drafts 6 and later. It is rewritten once into
/// a draft-07 document (draft 7 still uses <c>definitions</c>, so Heroku's <c>#/definitions/...</c> references resolve
/// unchanged):
/// <list type="bullet">
/// <item>draft-04 <c>id</c> and every nested <c>$schema</c> are dropped (each definition declares the draft-04
/// hyper-schema meta-schema, which JsonSchema.Net cannot load);</item>
/// <item>boolean <c>exclusiveMinimum</c>/<c>exclusiveMaximum</c> are turned into the draft-6+ numeric form (the current
/// file has none, the rewrite is there so a future copy does not silently change meaning);</item>
/// <item>formats are asserted (uuid, date-time, email, ...), except those JsonSchema.Net does not know, which are
/// removed rather than failing every value;</item>
/// <item>non-validating interagent keywords (<c>links</c>, <c>example</c>, <c>stability</c>, <c>strictProperties</c>)
/// are dropped.</item>
/// </list>
/// Responses are checked against a second copy in which every object that declares <c>properties</c> requires all of
/// them: the schema marks nothing required, so without this an empty object would pass; real Heroku responses carry
/// every declared property (null where empty, which is fine where the type allows null).
/// </remarks>
public static class HerokuPlatformSchema
{
    private const string SchemaFileName = "heroku-platform-api.schema.json";
    private const string LinkDefinitionPrefix = "__link_";

    private static readonly Lazy<Catalogue> Loaded = new(Catalogue.Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Where the schema file is read from: <c>HEROKU_PLATFORM_SCHEMA</c> if set, else
    /// <c>&lt;repo root&gt;/../shared/reference/heroku-platform-api.schema.json</c>.</summary>
    public static string SchemaPath => Environment.GetEnvironmentVariable("HEROKU_PLATFORM_SCHEMA") is { Length: > 0 } path
        ? path
        : Path.Combine(RepositoryPaths.Shared, "reference", SchemaFileName);

    /// <summary>
    /// Validates the path (against the identity schemas of its parameters) and the request body (against the link's
    /// <c>schema</c>). A link without a <c>schema</c> takes no body. Returns human-readable errors; empty means valid.
    /// </summary>
    public static IReadOnlyList<string> ValidateRequest(string method, string concretePath, JsonNode? body)
    {
        var catalogue = Loaded.Value;
        var (links, errors) = catalogue.Match(method, concretePath);
        if (errors.Count > 0) return errors;

        // Several links may share method and href (release Create/Rollback): the request is valid if one accepts it.
        var perLink = new List<string>();
        foreach (var link in links)
        {
            var linkErrors = new List<string>();
            linkErrors.AddRange(catalogue.ValidatePathParameters(link, concretePath));
            if (link.HasRequestSchema)
                linkErrors.AddRange(catalogue.Evaluate(strict: false, link.RequestDefinition, body, $"{link} request body"));
            else if (body is not null)
                linkErrors.Add($"{link} request: the schema declares no request body, but one was sent");
            if (linkErrors.Count == 0) return [];
            perLink.AddRange(linkErrors);
        }
        return perLink;
    }

    /// <summary>
    /// Validates a response body against the link's <c>targetSchema</c> (or the resource's own schema, as an array of
    /// them for <c>rel: instances</c>), with every declared property required. Empty means valid.
    /// </summary>
    public static IReadOnlyList<string> ValidateResponse(string method, string concretePath, JsonNode? body)
    {
        var catalogue = Loaded.Value;
        var (links, errors) = catalogue.Match(method, concretePath);
        if (errors.Count > 0) return errors;

        var perLink = new List<string>();
        foreach (var link in links)
        {
            var linkErrors = catalogue.Evaluate(strict: true, link.ResponseDefinition, body, $"{link} response body");
            if (linkErrors.Count == 0) return [];
            perLink.AddRange(linkErrors);
        }
        return perLink;
    }

    /// <summary>The links (method and href template) the schema declares, e.g. for coverage reports.</summary>
    public static IReadOnlyList<(string Method, string Href, string Title)> Links =>
        Loaded.Value.Links.Select(l => (l.Method, l.Href, l.Title)).ToList();

    private sealed record Link(
        string Resource, string Title, string Method, string Href, string[] Segments,
        bool HasRequestSchema, string RequestDefinition, string ResponseDefinition)
    {
        public int LiteralSegmentCount => Segments.Count(s => !IsParameter(s));
        public override string ToString() => $"{Method} {Href} ({Resource} {Title})";
        public static bool IsParameter(string segment) => segment.StartsWith("{(", StringComparison.Ordinal);
    }

    private sealed class Catalogue
    {
        private static readonly HashSet<string> AssertedFormats = ["date", "date-time", "email", "ipv4", "ipv6", "uri", "uuid", "hostname"];
        private static readonly HashSet<string> DroppedKeywords = ["$schema", "id", "links", "example", "stability", "strictProperties"];
        private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

        private readonly Dictionary<bool, DocumentSet> documents = new();
        public IReadOnlyList<Link> Links { get; private init; } = [];

        public static Catalogue Load()
        {
            var path = SchemaPath;
            if (!File.Exists(path))
                throw new FileNotFoundException($"Heroku Platform API schema not found at {path} (set HEROKU_PLATFORM_SCHEMA to override)", path);
            var original = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            var definitions = original["definitions"]!.AsObject();

            var links = new List<Link>();
            var linkSchemas = new JsonObject();
            foreach (var (resource, definition) in definitions)
            {
                if (definition?["links"] is not JsonArray linkArray) continue;
                for (var i = 0; i < linkArray.Count; i++)
                {
                    var l = linkArray[i]!.AsObject();
                    var href = (string)l["href"]!;
                    var name = $"{LinkDefinitionPrefix}{resource}_{i}";
                    var hasRequest = l["schema"] is JsonObject;
                    if (hasRequest) linkSchemas[name + "_request"] = l["schema"]!.DeepClone();
                    linkSchemas[name + "_response"] = l["targetSchema"]?.DeepClone() ?? DefaultTargetSchema(resource, (string?)l["rel"]);
                    links.Add(new Link(resource, (string?)l["title"] ?? "", ((string)l["method"]!).ToUpperInvariant(), href,
                        SplitPath(href), hasRequest, name + "_request", name + "_response"));
                }
            }

            var catalogue = new Catalogue { Links = links };
            foreach (var strict in new[] { false, true })
            {
                var defs = new JsonObject();
                foreach (var (key, value) in definitions) defs[key] = RewriteSchema(value!, strict);
                foreach (var (key, value) in linkSchemas) defs[key] = RewriteSchema(value!, strict);
                catalogue.documents[strict] = DocumentSet.Build(defs, strict);
            }
            return catalogue;
        }

        private static JsonNode DefaultTargetSchema(string resource, string? rel)
        {
            var single = new JsonObject { ["$ref"] = $"#/definitions/{resource}" };
            return rel == "instances" ? new JsonObject { ["type"] = new JsonArray("array"), ["items"] = single } : single;
        }

        /// <summary>Copies a draft-04 schema node into its draft-07 equivalent, visiting only schema positions so that
        /// example data and property names are never mistaken for keywords.</summary>
        private static JsonNode RewriteSchema(JsonNode node, bool strict)
        {
            if (node is not JsonObject source) return node.DeepClone();
            var target = new JsonObject();
            foreach (var (key, value) in source)
            {
                if (DroppedKeywords.Contains(key) || value is null) continue;
                switch (key)
                {
                    case "properties" or "patternProperties" or "definitions":
                        var map = new JsonObject();
                        foreach (var (name, sub) in value.AsObject()) map[name] = RewriteSchema(sub!, strict);
                        target[key] = map;
                        break;
                    case "items" when value is JsonArray tuple:
                        target[key] = new JsonArray(tuple.Select(s => (JsonNode?)RewriteSchema(s!, strict)).ToArray());
                        break;
                    case "anyOf" or "oneOf" or "allOf":
                        target[key] = new JsonArray(value.AsArray().Select(s => (JsonNode?)RewriteSchema(s!, strict)).ToArray());
                        break;
                    case "items" or "not" or "additionalProperties" or "additionalItems" when value is JsonObject:
                        target[key] = RewriteSchema(value, strict);
                        break;
                    case "format":
                        if (AssertedFormats.Contains((string)value!)) target[key] = value.DeepClone();
                        break;
                    case "exclusiveMinimum" or "exclusiveMaximum" when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                        var bound = key == "exclusiveMinimum" ? "minimum" : "maximum";
                        if ((bool)value && source[bound] is { } limit) target[key] = limit.DeepClone();
                        break;
                    default:
                        target[key] = value.DeepClone();
                        break;
                }
            }
            // A draft-04 boolean exclusive bound replaces the inclusive one.
            if (source["exclusiveMinimum"]?.GetValueKind() == JsonValueKind.True) target.Remove("minimum");
            if (source["exclusiveMaximum"]?.GetValueKind() == JsonValueKind.True) target.Remove("maximum");

            if (strict && target["properties"] is JsonObject properties)
            {
                var required = new SortedSet<string>(StringComparer.Ordinal);
                if (target["required"] is JsonArray declared) foreach (var r in declared) required.Add((string)r!);
                foreach (var (name, _) in properties) required.Add(name);
                target["required"] = new JsonArray(required.Select(r => (JsonNode?)r).ToArray());
            }
            return target;
        }

        public (IReadOnlyList<Link> Links, IReadOnlyList<string> Errors) Match(string method, string concretePath)
        {
            var upper = method.ToUpperInvariant();
            var segments = SplitPath(StripQuery(concretePath));
            var candidates = Links
                .Where(l => l.Method == upper && l.Segments.Length == segments.Length)
                .Where(l => l.Segments.Zip(segments).All(p => Link.IsParameter(p.First) || p.First == p.Second))
                .ToList();
            if (candidates.Count == 0)
                return ([], [$"{upper} {concretePath}: the Heroku Platform API schema declares no such link"]);
            // A literal segment is more specific than a parameter: /account/rate-limits beats /account/{x}.
            var best = candidates.Max(l => l.LiteralSegmentCount);
            return (candidates.Where(l => l.LiteralSegmentCount == best).ToList(), []);
        }

        public IEnumerable<string> ValidatePathParameters(Link link, string concretePath)
        {
            var segments = SplitPath(StripQuery(concretePath));
            for (var i = 0; i < segments.Length; i++)
            {
                if (!Link.IsParameter(link.Segments[i])) continue;
                var pointer = Uri.UnescapeDataString(link.Segments[i][2..^2]); // "{(%23%2F...)}" -> "#/definitions/..."
                var value = JsonValue.Create(Uri.UnescapeDataString(segments[i]));
                foreach (var error in EvaluateRef(strict: false, pointer, value, $"{link} path segment {i + 1} '{segments[i]}'"))
                    yield return error;
            }
        }

        public IReadOnlyList<string> Evaluate(bool strict, string definitionName, JsonNode? body, string what) =>
            EvaluateRef(strict, $"#/definitions/{definitionName}", body, what);

        private IReadOnlyList<string> EvaluateRef(bool strict, string pointer, JsonNode? instance, string what)
        {
            var schema = documents[strict].SchemaFor(pointer);
            using var document = JsonDocument.Parse(instance?.ToJsonString() ?? "null");
            var results = schema.Evaluate(document.RootElement, Evaluation);
            if (results.IsValid) return [];
            var errors = new List<string>();
            foreach (var detail in results.Details ?? [])
            {
                if (detail.Errors is null) continue;
                foreach (var (keyword, message) in detail.Errors)
                    errors.Add($"{what}: at '{detail.InstanceLocation}' {keyword}: {message} (schema {detail.EvaluationPath})");
            }
            if (errors.Count == 0 && results.Errors is not null)
                errors.AddRange(results.Errors.Select(e => $"{what}: {e.Key}: {e.Value}"));
            if (errors.Count == 0) errors.Add($"{what}: invalid against {pointer}");
            return errors;
        }
    }

    /// <summary>One rewritten document registered under its own base URI, plus small <c>$ref</c> schemas into it.</summary>
    private sealed class DocumentSet
    {
        private readonly Uri baseUri;
        private readonly BuildOptions options;
        private readonly Dictionary<string, JsonSchema> byPointer = new(StringComparer.Ordinal);
        private readonly Lock gate = new();

        private DocumentSet(Uri baseUri, BuildOptions options) => (this.baseUri, this.options) = (baseUri, options);

        public static DocumentSet Build(JsonObject definitions, bool strict)
        {
            var baseUri = new Uri($"https://heroku-platform-schema.local/{(strict ? "strict" : "as-published")}");
            var options = new BuildOptions { SchemaRegistry = new SchemaRegistry(), Dialect = Dialect.Draft07 };
            var root = new JsonObject
            {
                ["$schema"] = "http://json-schema.org/draft-07/schema#",
                ["$id"] = baseUri.ToString(),
                ["definitions"] = definitions,
            };
            using var document = JsonDocument.Parse(root.ToJsonString());
            JsonSchema.Build(document.RootElement.Clone(), options, baseUri);
            return new DocumentSet(baseUri, options);
        }

        public JsonSchema SchemaFor(string pointer)
        {
            lock (gate)
            {
                if (byPointer.TryGetValue(pointer, out var cached)) return cached;
                var reference = new JsonObject
                {
                    ["$schema"] = "http://json-schema.org/draft-07/schema#",
                    ["$ref"] = baseUri + pointer,
                };
                using var document = JsonDocument.Parse(reference.ToJsonString());
                var schema = JsonSchema.Build(document.RootElement.Clone(), options,
                    new Uri($"https://heroku-platform-schema.local/ref/{byPointer.Count}"));
                byPointer[pointer] = schema;
                return schema;
            }
        }
    }

    private static string StripQuery(string path) => path.Split('?', 2)[0];

    private static string[] SplitPath(string path) => path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
}
