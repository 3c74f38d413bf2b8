using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace IndicatorFunctions.Tests.Infrastructure;

/// <summary>
/// The app's OpenAPI document (embedded in the app, served at <c>/api/openapi.json</c>) as a checker of real
/// responses: the status must be one the operation documents, the content type one of its media types, and a JSON
/// body must validate against the documented schema (JSON Schema 2020-12, with JsonSchema.Net). Every client of
/// <see cref="FunctionAppFactory"/> runs every response through it (<see cref="CheckingHandler"/>).
/// </summary>
public static class OpenApiContract
{
    private static readonly Uri BaseUri = new("https://indicatorfunctions.test/openapi.json");

    public static JsonObject Document { get; } = JsonNode.Parse(Read())!.AsObject();

    private static readonly JsonElement Root = JsonDocument.Parse(Read()).RootElement;

    private static readonly BuildOptions Build = CreateBuildOptions();

    private static readonly ConcurrentDictionary<string, JsonSchema> Schemas = new();

    private static readonly IReadOnlyList<(Regex Path, string Template)> Paths =
        [.. Document["paths"]!.AsObject().Select(p => (new Regex("^" + Regex.Replace(Regex.Escape(p.Key), @"\\\{[^}]+}", "[^/]+") + "$"), p.Key))];

    public static string Read()
    {
        using var stream = typeof(IndicatorFunctions.Api.DocsApi).Assembly.GetManifestResourceStream("IndicatorFunctions.Api.openapi.json")!;
        return new StreamReader(stream).ReadToEnd();
    }

    private static BuildOptions CreateBuildOptions()
    {
        var options = new BuildOptions();
        options.SchemaRegistry.Register(BaseUri, new JsonElementBaseDocument(Root, BaseUri));
        return options;
    }

    /// <summary>The documented operation's path template for a request, or null when no documented operation serves it.</summary>
    public static string? TemplateOf(string method, string path)
    {
        if (!path.StartsWith("/api/", StringComparison.Ordinal))
            return null;
        var relative = path["/api".Length..];
        var match = Paths.FirstOrDefault(p => p.Path.IsMatch(relative) && Document["paths"]![p.Template]![method.ToLowerInvariant()] is not null);
        return match.Template;
    }

    /// <summary>What in a response contradicts the document; empty when it conforms (or no documented operation serves the request).</summary>
    public static async Task<IReadOnlyList<string>> CheckAsync(HttpRequestMessage request, HttpResponseMessage response)
    {
        var method = request.Method.Method.ToLowerInvariant();
        var template = TemplateOf(method, request.RequestUri!.AbsolutePath);
        if (template is null)
            return [];
        var where = $"{request.Method} {request.RequestUri.PathAndQuery} → {(int)response.StatusCode}";
        var responses = Document["paths"]![template]![method]!["responses"]!.AsObject();
        var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!responses.ContainsKey(status))
            return [$"{where}: status {status} is not documented for {method.ToUpperInvariant()} {template} (documented: {string.Join(", ", responses.Select(r => r.Key))})"];
        var (documented, pointer) = Resolve(responses[status]!, $"/paths/{Escape(template)}/{method}/responses/{status}");
        var body = response.Content is null ? [] : await response.Content.ReadAsByteArrayAsync();
        if (documented["content"] is not JsonObject content)
            return body.Length == 0 ? [] : [$"{where}: documented without a body, but {body.Length} bytes came"];
        if (body.Length == 0)
            return response.StatusCode == HttpStatusCode.NotModified ? [] : [$"{where}: documented with a body, but none came"];
        var mediaType = response.Content!.Headers.ContentType?.MediaType ?? "(none)";
        if (!content.ContainsKey(mediaType))
            return [$"{where}: content type {mediaType} is not documented (documented: {string.Join(", ", content.Select(c => c.Key))})"];
        if (!mediaType.EndsWith("json", StringComparison.Ordinal))
            return [];
        var schema = Schemas.GetOrAdd($"{pointer}/content/{Escape(mediaType)}/schema", SchemaAt);
        using var json = JsonDocument.Parse(body);
        var result = schema.Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid ? [] :
            [$"{where}: the body does not match the documented schema:\n  " + string.Join("\n  ", (result.Details ?? [])
                .Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Value}"))
                .Take(20))];
    }

    /// <summary>What in a JSON value contradicts the schema of the media type object at a JSON pointer of the document.</summary>
    public static IReadOnlyList<string> Validate(string mediaTypePointer, JsonNode value)
    {
        var schema = Schemas.GetOrAdd($"{mediaTypePointer}/schema", SchemaAt);
        using var json = JsonDocument.Parse(value.ToJsonString());
        var result = schema.Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid ? [] : [.. (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))];
    }

    /// <summary>A response object, following a <c>$ref</c> into components; with the JSON pointer it sits at.</summary>
    private static (JsonObject Response, string Pointer) Resolve(JsonNode node, string pointer) =>
        node["$ref"] is { } reference
            ? (Document["components"]!["responses"]![((string)reference!).Split('/')[^1]]!.AsObject(), ((string)reference!)[1..])
            : (node.AsObject(), pointer);

    // A pointer in a URI fragment is percent-encoded: "+" (application/problem+json) would otherwise read as a space.
    private static JsonSchema SchemaAt(string pointer) =>
        JsonSchema.FromText($$"""{"$ref": "{{BaseUri}}#{{pointer.Replace("+", "%2B")}}"}""", Build);

    private static string Escape(string segment) => segment.Replace("~", "~0").Replace("/", "~1");

    /// <summary>Fails the request (and so the test) whose response contradicts the document.</summary>
    public sealed class CheckingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.Content is not null)
                await response.Content.LoadIntoBufferAsync(cancellationToken);
            var problems = await CheckAsync(request, response);
            if (problems.Count > 0)
                throw new ContractViolation(string.Join("\n", problems));
            return response;
        }
    }

    public sealed class ContractViolation(string message) : Exception("The response contradicts openapi.json: " + message);
}
