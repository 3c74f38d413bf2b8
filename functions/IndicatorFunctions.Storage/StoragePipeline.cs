using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace IndicatorFunctions.Storage;

/// <summary>Builds the one Azure.Core pipeline a service client and its sub-clients share.</summary>
internal static class StoragePipeline
{
    public const string StorageScope = "https://storage.azure.com/.default";

    public static HttpPipeline Build(ClientOptions options, HttpPipelinePolicy authentication) =>
        HttpPipelineBuilder.Build(new HttpPipelineOptions(options)
        {
            // Per retry: every attempt gets a fresh x-ms-date and a signature over it.
            PerRetryPolicies = { new DatePolicy(), authentication },
            RequestFailedDetailsParser = new StorageErrorParser(),
        });

    public static HttpPipelinePolicy BearerToken(TokenCredential credential) =>
        new BearerTokenAuthenticationPolicy(credential, StorageScope);

    /// <summary>Throws the service's error, with status and error code, for an unexpected response.</summary>
    public static RequestFailedException Failure(Response response) => new(response);

    private sealed class DatePolicy : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message) =>
            message.Request.Headers.SetValue("x-ms-date", DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// Reads the service error code and message from a failed response: the <c>x-ms-error-code</c> header,
/// else the Table JSON body (<c>odata.error</c>) or the Blob XML body (<c>Error/Code</c>).
/// </summary>
internal sealed class StorageErrorParser : RequestFailedDetailsParser
{
    public override bool TryParse(Response response, out ResponseError? error, out IDictionary<string, string>? data)
    {
        data = null;
        response.Headers.TryGetValue("x-ms-error-code", out var code);
        string? message = null;
        // Azure starts XML bodies with a byte-order mark; it and leading white space hide the first character.
        var body = response.Content?.ToString().TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (!string.IsNullOrWhiteSpace(body))
        {
            try
            {
                if (body.StartsWith('{'))
                {
                    using var json = JsonDocument.Parse(body);
                    if (json.RootElement.TryGetProperty("odata.error", out var odataError))
                    {
                        code ??= odataError.TryGetProperty("code", out var c) ? c.GetString() : null;
                        message = odataError.TryGetProperty("message", out var m)
                            ? m.ValueKind == JsonValueKind.Object && m.TryGetProperty("value", out var v) ? v.GetString() : m.ToString()
                            : null;
                    }
                }
                else if (body.StartsWith('<'))
                {
                    var xml = XElement.Parse(body);
                    code ??= xml.Element("Code")?.Value;
                    message = xml.Element("Message")?.Value;
                }
            }
            catch (Exception ex) when (ex is JsonException or System.Xml.XmlException)
            {
                // Not a service error body (e.g. a proxy's HTML page): the status line still tells what happened.
            }
        }
        error = code is null && message is null ? null : new ResponseError(code, message ?? code);
        return error is not null;
    }
}
