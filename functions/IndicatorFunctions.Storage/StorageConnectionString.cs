namespace IndicatorFunctions.Storage;

/// <summary>
/// A parsed storage account connection string: the account's shared key and one endpoint per service.
/// Accepts <c>UseDevelopmentStorage=true</c> (Azurite) and full account strings; malformed input throws
/// a <see cref="FormatException"/> naming the part that is missing or wrong.
/// </summary>
public sealed record StorageConnectionString(string AccountName, string AccountKey, Uri TableEndpoint, Uri BlobEndpoint, Uri QueueEndpoint)
{
    public const string DevelopmentAccountName = "devstoreaccount1";

    // Azurite's well-known development key (public, documented by Microsoft; not a secret).
    public const string DevelopmentAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public StorageSharedKeyCredential Credential => new(AccountName, AccountKey);

    public static StorageConnectionString Development { get; } = new(
        DevelopmentAccountName,
        DevelopmentAccountKey,
        new Uri("http://127.0.0.1:10002/devstoreaccount1"),
        new Uri("http://127.0.0.1:10000/devstoreaccount1"),
        new Uri("http://127.0.0.1:10001/devstoreaccount1"));

    public static StorageConnectionString Parse(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new FormatException("Storage connection string is empty.");

        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = segment.IndexOf('=');
            if (eq <= 0)
                throw new FormatException($"Storage connection string segment '{Redact(segment)}' is not of the form Name=Value.");
            parts[segment[..eq].Trim()] = segment[(eq + 1)..].Trim();
        }

        if (parts.TryGetValue("UseDevelopmentStorage", out var dev))
        {
            if (!string.Equals(dev, "true", StringComparison.OrdinalIgnoreCase))
                throw new FormatException("Storage connection string: UseDevelopmentStorage must be 'true' when present.");
            return Development;
        }

        if (!parts.ContainsKey("AccountKey") && parts.ContainsKey("SharedAccessSignature"))
            throw new FormatException("Storage connection string: SharedAccessSignature is not supported; give AccountName and AccountKey, or use an endpoint with a TokenCredential.");
        var account = Required(parts, "AccountName");
        var key = Required(parts, "AccountKey");
        try
        {
            Convert.FromBase64String(key);
        }
        catch (FormatException)
        {
            throw new FormatException("Storage connection string: AccountKey is not valid base64.");
        }

        var protocol = parts.GetValueOrDefault("DefaultEndpointsProtocol", "https").ToLowerInvariant();
        if (protocol is not ("http" or "https"))
            throw new FormatException($"Storage connection string: DefaultEndpointsProtocol must be http or https, not '{protocol}'.");
        var suffix = parts.GetValueOrDefault("EndpointSuffix", "core.windows.net");

        Uri Endpoint(string name, string service) => parts.TryGetValue(name, out var explicitEndpoint)
            ? ParseEndpoint(name, explicitEndpoint)
            : new Uri($"{protocol}://{account}.{service}.{suffix}");

        return new StorageConnectionString(account, key,
            Endpoint("TableEndpoint", "table"), Endpoint("BlobEndpoint", "blob"), Endpoint("QueueEndpoint", "queue"));
    }

    private static string Required(Dictionary<string, string> parts, string name) =>
        parts.TryGetValue(name, out var value) && value.Length > 0
            ? value
            : throw new FormatException($"Storage connection string is missing '{name}'.");

    private static Uri ParseEndpoint(string name, string value) =>
        Uri.TryCreate(value.TrimEnd('/'), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new FormatException($"Storage connection string: {name} '{value}' is not an absolute http(s) URL.");

    // Never echo a key back into logs: only the segment's name survives.
    private static string Redact(string segment) => segment.Length > 24 ? segment[..12] + "…" : segment;

    public override string ToString() => $"AccountName={AccountName};TableEndpoint={TableEndpoint};BlobEndpoint={BlobEndpoint}";
}
