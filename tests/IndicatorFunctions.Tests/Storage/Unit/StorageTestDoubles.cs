using System.Diagnostics.CodeAnalysis;
using System.Text;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace IndicatorFunctions.Tests.Storage.Unit;

/// <summary>What the transport saw of one request, copied when it was "sent" (after every policy ran).</summary>
internal sealed record CapturedRequest(string Method, Uri Uri, string Path, string Query, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[]? Body)
{
    public string? Header(string name) =>
        Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
}

/// <summary>
/// A transport that never touches the network: it records each request and answers with a canned response.
/// Requests are created by Azure.Core's own HttpClientTransport so headers behave exactly as in production.
/// </summary>
internal sealed class FakeTransport(Func<CapturedRequest, FakeResponse> respond) : HttpPipelineTransport
{
    public FakeTransport(int status) : this(_ => new FakeResponse(status)) { }

    public List<CapturedRequest> Requests { get; } = [];

    public override Request CreateRequest() => HttpClientTransport.Shared.CreateRequest();

    public override void Process(HttpMessage message)
    {
        var request = message.Request;
        byte[]? body = null;
        if (request.Content is not null)
        {
            using var stream = new MemoryStream();
            request.Content.WriteTo(stream, message.CancellationToken);
            body = stream.ToArray();
        }
        var captured = new CapturedRequest(
            request.Method.Method,
            request.Uri.ToUri(),
            request.Uri.Path,
            request.Uri.Query,
            request.Headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)).ToList(),
            body);
        Requests.Add(captured);
        message.Response = respond(captured);
    }

    public override ValueTask ProcessAsync(HttpMessage message)
    {
        Process(message);
        return ValueTask.CompletedTask;
    }
}

internal sealed class FakeResponse(int status, string? body = null, IEnumerable<KeyValuePair<string, string>>? headers = null) : Response
{
    private readonly List<HttpHeader> _headers = (headers ?? []).Select(h => new HttpHeader(h.Key, h.Value)).ToList();

    public override int Status { get; } = status;

    public override string ReasonPhrase => Status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public override Stream? ContentStream { get; set; } = new MemoryStream(Encoding.UTF8.GetBytes(body ?? ""));

    public override string ClientRequestId { get; set; } = "";

    public override void Dispose() => ContentStream?.Dispose();

    protected override bool ContainsHeader(string name) => _headers.Any(h => Is(h, name));

    protected override IEnumerable<HttpHeader> EnumerateHeaders() => _headers;

    protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value)
    {
        value = _headers.Where(h => Is(h, name)).Select(h => h.Value).FirstOrDefault();
        return value is not null;
    }

    protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
    {
        var found = _headers.Where(h => Is(h, name)).Select(h => h.Value).ToList();
        values = found.Count > 0 ? found : null;
        return values is not null;
    }

    private static bool Is(HttpHeader header, string name) => string.Equals(header.Name, name, StringComparison.OrdinalIgnoreCase);
}
