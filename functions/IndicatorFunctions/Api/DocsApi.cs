using System.Collections.Frozen;
using System.IO.Compression;
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

    private static readonly Lazy<StaticFile> Document = new(() =>
        File("application/json", Read(typeof(DocsApi).Assembly, "IndicatorFunctions.Api.openapi.json", gzip: false)));

    /// <summary>The reference page's files by name: Swagger UI's two, and the few lines that point it at the document.</summary>
    private static readonly FrozenDictionary<string, Lazy<StaticFile>> Assets = new Dictionary<string, Lazy<StaticFile>>
    {
        ["swagger-ui-bundle.js"] = new(() => File("text/javascript; charset=utf-8", Read(typeof(Swashbuckle.AspNetCore.SwaggerUI.SwaggerUIOptions).Assembly, SwaggerUi + "swagger-ui-bundle.js", gzip: true))),
        ["swagger-ui.css"] = new(() => File("text/css; charset=utf-8", Read(typeof(Swashbuckle.AspNetCore.SwaggerUI.SwaggerUIOptions).Assembly, SwaggerUi + "swagger-ui.css", gzip: true))),
        ["docs.js"] = new(() => File("text/javascript; charset=utf-8", System.Text.Encoding.UTF8.GetBytes(
            """window.ui = SwaggerUIBundle({ url: "openapi.json", dom_id: "#swagger-ui", deepLinking: true, tryItOutEnabled: false });""" + "\n"))),
    }.ToFrozenDictionary();

    private static readonly StaticFile Page = File("text/html; charset=utf-8", System.Text.Encoding.UTF8.GetBytes("""
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
        Task.FromResult<IResult>(Document.Value);

    [Function("GetDocs")]
    public Task<IResult> GetDocs([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "docs")] HttpRequest request) =>
        Task.FromResult<IResult>(Page);

    [Function("GetDocsAsset")]
    public Task<IResult> GetDocsAsset([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "docs/{asset}")] HttpRequest request, string asset) =>
        Task.FromResult(Assets.TryGetValue(asset, out var found) ? found.Value : Problems.NotFound("asset", asset));

    /// <summary>
    /// Swagger UI sets styles inline and draws icons from data URIs; everything else comes from this origin only.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static StaticFile File(string contentType, byte[] bytes) => new(bytes, contentType, ContentSecurityPolicy);

    private static byte[] Read(System.Reflection.Assembly assembly, string name, bool gzip)
    {
        using var stream = assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"Resource {name} is missing from {assembly.GetName().Name}.");
        using var content = gzip ? new GZipStream(stream, CompressionMode.Decompress) : stream;
        using var copy = new MemoryStream();
        content.CopyTo(copy);
        return copy.ToArray();
    }
}
