using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IndicatorFunctions.Tests.Infrastructure;

/// <summary>A request the source server answered: what was asked, when, and with which headers.</summary>
public sealed record SeenRequest(string Path, string Query, DateTimeOffset At, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// A real HTTP server on a loopback port (Kestrel), standing in for the places districts publish figures.
/// Each path gets a handler that is told which request to it this is (1, 2, ...), so a test can script faults:
/// 500 then 200, 429 with Retry-After, a hang, a wrong content type, a body that is too large, 304s.
/// </summary>
public sealed class SourceServer : IAsyncDisposable
{
    public delegate Task Handler(HttpContext context, int request);

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Handler> _handlers = new();
    private readonly ConcurrentDictionary<string, int> _counts = new();
    private readonly ConcurrentQueue<SeenRequest> _seen = new();

    private SourceServer(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    /// <summary>The same server under another host name (a redirect to another origin; a name, not an address, to resolve).</summary>
    public string OtherHostBaseUrl => BaseUrl.Replace("127.0.0.1", "localhost");

    public static async Task<SourceServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new SourceServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return server;
    }

    public string Url(string path) => BaseUrl + path;

    public void Serve(string path, Handler handler) => _handlers[path] = handler;

    /// <summary>Serves a fixed body with a strong ETag and Last-Modified, answering 304 to a matching conditional GET.</summary>
    public void ServeFile(string path, string body, string contentType = "text/csv", bool etag = true, bool lastModified = true)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var tag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"";
        var modified = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        Serve(path, async (context, _) =>
        {
            var request = context.Request.Headers;
            if ((etag && request.IfNoneMatch == tag) || (!etag && lastModified && request.IfModifiedSince.Count > 0 &&
                DateTimeOffset.Parse(request.IfModifiedSince!, System.Globalization.CultureInfo.InvariantCulture) >= modified))
            {
                context.Response.StatusCode = 304;
                return;
            }
            if (etag) context.Response.Headers.ETag = tag;
            if (lastModified) context.Response.Headers.LastModified = modified.ToString("R");
            context.Response.ContentType = contentType;
            await context.Response.Body.WriteAsync(bytes);
        });
    }

    public IReadOnlyList<SeenRequest> RequestsTo(string path) => _seen.Where(r => r.Path == path).ToList();

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        _seen.Enqueue(new SeenRequest(path, context.Request.QueryString.Value ?? "", DateTimeOffset.UtcNow, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
        var count = _counts.AddOrUpdate(path, 1, (_, n) => n + 1);
        if (!_handlers.TryGetValue(path, out var handler))
        {
            context.Response.StatusCode = 404;
            return;
        }
        try
        {
            await handler(context, count);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client gave up (its timeout): that is the point of a hang.
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
