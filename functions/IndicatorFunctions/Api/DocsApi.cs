using System.Collections.Frozen;
using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;

namespace IndicatorFunctions.Api;

/// <summary>
/// The API's contract, <c>openapi.json</c> (OpenAPI 3.1, embedded in the app; tests hold it to the functions and to
/// real responses), and a browsable reference of it: Swagger UI, whose files come from the Swashbuckle.AspNetCore.SwaggerUI
/// package (embedded there, gzip-compressed) and are served by the app, so the page needs no CDN.
/// </summary>
public sealed class DocsApi
{
    private const string SwaggerUi = "Swashbuckle.AspNetCore.SwaggerUI.node_modules.swagger_ui_dist.";

    private static readonly Lazy<Asset> Document = new(() =>
        Asset.Of("application/json", Read(typeof(DocsApi).Assembly, "IndicatorFunctions.Api.openapi.json", gzip: false)));

    /// <summary>The reference page's files by name: Swagger UI's two, and the few lines that point it at the document.</summary>
    private static readonly FrozenDictionary<string, Lazy<Asset>> Assets = new Dictionary<string, Lazy<Asset>>
    {
        ["swagger-ui-bundle.js"] = new(() => Asset.Of("text/javascript; charset=utf-8", Read(typeof(Swashbuckle.AspNetCore.SwaggerUI.SwaggerUIOptions).Assembly, SwaggerUi + "swagger-ui-bundle.js", gzip: true))),
        ["swagger-ui.css"] = new(() => Asset.Of("text/css; charset=utf-8", Read(typeof(Swashbuckle.AspNetCore.SwaggerUI.SwaggerUIOptions).Assembly, SwaggerUi + "swagger-ui.css", gzip: true))),
        ["docs.js"] = new(() => Asset.Of("text/javascript; charset=utf-8", System.Text.Encoding.UTF8.GetBytes(
            """window.ui = SwaggerUIBundle({ url: "openapi.json", dom_id: "#swagger-ui", deepLinking: true, tryItOutEnabled: false });""" + "\n"))),
    }.ToFrozenDictionary();

    private static readonly Asset Page = Asset.Of("text/html; charset=utf-8", System.Text.Encoding.UTF8.GetBytes("""
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>IndicatorFunctions API</title>
          <link rel="stylesheet" href="docs/swagger-ui.css">
        </head>
        <body>
          <div id="swagger-ui"></div>
          <script src="docs/swagger-ui-bundle.js"></script>
          <script src="docs/docs.js"></script>
        </body>
        </html>
        """));

    [Function("GetOpenApi")]
    public Task<IResult> GetOpenApi([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest request) =>
        Task.FromResult(Document.Value.Serve(request));

    [Function("GetDocs")]
    public Task<IResult> GetDocs([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "docs")] HttpRequest request) =>
        Task.FromResult(Page.Serve(request));

    [Function("GetDocsAsset")]
    public Task<IResult> GetDocsAsset([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "docs/{asset}")] HttpRequest request, string asset) =>
        Task.FromResult(Assets.TryGetValue(asset, out var found) ? found.Value.Serve(request) : Problems.NotFound("asset", asset));

    private static byte[] Read(System.Reflection.Assembly assembly, string name, bool gzip)
    {
        using var stream = assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"Resource {name} is missing from {assembly.GetName().Name}.");
        using var content = gzip ? new GZipStream(stream, CompressionMode.Decompress) : stream;
        using var copy = new MemoryStream();
        content.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Bytes that change only with the build: a strong ETag, revalidated (304) rather than re-sent.</summary>
    private sealed record Asset(string ContentType, byte[] Bytes, string ETag)
    {
        public static Asset Of(string contentType, byte[] bytes) =>
            new(contentType, bytes, $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\"");

        public IResult Serve(HttpRequest request)
        {
            var headers = request.HttpContext.Response.Headers;
            headers.ETag = ETag;
            headers.CacheControl = "public, max-age=300";
            if (request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == ETag || t.Trim() == "*")))
                return TypedResults.StatusCode(StatusCodes.Status304NotModified);
            return TypedResults.Bytes(Bytes, ContentType);
        }
    }
}
