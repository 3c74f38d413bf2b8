using Azure.Core;
using Azure.Core.Pipeline;

namespace IndicatorFunctions.Storage;

/// <summary>Signs Table requests with SharedKeyLite, as Azure.Data.Tables does.</summary>
internal sealed class TableSharedKeyLitePolicy(StorageSharedKeyCredential credential) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        request.Headers.TryGetValue("x-ms-date", out var date);
        var resource = SharedKeySignature.TableCanonicalizedResource(credential.AccountName, request.Uri.Path, request.Uri.Query);
        var signature = credential.ComputeHmacSha256(SharedKeySignature.TableSharedKeyLite(date ?? "", resource));
        request.Headers.SetValue(HttpHeader.Names.Authorization, $"SharedKeyLite {credential.AccountName}:{signature}");
    }
}

/// <summary>Signs Blob requests with SharedKey (Azurite's Blob service does not accept SharedKeyLite).</summary>
internal sealed class BlobSharedKeyPolicy(StorageSharedKeyCredential credential) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        // Content-Length is set by the transport, after this policy, so it comes from the content itself.
        var length = request.Content is not null && request.Content.TryComputeLength(out var l) ? l : 0;
        var headers = request.Headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value));
        var stringToSign = SharedKeySignature.Blob(request.Method.Method, headers, length, credential.AccountName, request.Uri.Path, request.Uri.Query);
        request.Headers.SetValue(HttpHeader.Names.Authorization, $"SharedKey {credential.AccountName}:{credential.ComputeHmacSha256(stringToSign)}");
    }
}
