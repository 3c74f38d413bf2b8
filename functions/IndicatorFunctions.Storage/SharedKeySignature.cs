using System.Text;

namespace IndicatorFunctions.Storage;

/// <summary>
/// The strings-to-sign of the storage services' Shared Key schemes, kept pure so they can be checked
/// against fixed vectors. Paths are used exactly as sent (still percent-encoded).
/// </summary>
public static class SharedKeySignature
{
    /// <summary>Table SharedKeyLite: <c>x-ms-date \n CanonicalizedResource</c>.</summary>
    public static string TableSharedKeyLite(string date, string canonicalizedResource) =>
        date + "\n" + canonicalizedResource;

    /// <summary>Table SharedKey: <c>VERB \n Content-MD5 \n Content-Type \n Date \n CanonicalizedResource</c>.</summary>
    public static string TableSharedKey(string verb, string contentMd5, string contentType, string date, string canonicalizedResource) =>
        string.Join('\n', verb, contentMd5, contentType, date, canonicalizedResource);

    /// <summary>Table canonicalized resource: <c>/account/path</c>, plus <c>?comp=</c> when the query has it.</summary>
    public static string TableCanonicalizedResource(string account, string path, string query)
    {
        var resource = "/" + account + path;
        foreach (var (name, value) in ParseQuery(query))
        {
            if (name == "comp")
                return resource + "?comp=" + value;
        }
        return resource;
    }

    /// <summary>
    /// Blob SharedKey: the verb, eleven standard headers, the sorted x-ms-* headers and the canonicalized resource
    /// (<c>/account/path</c>, then <c>\nname:value</c> per query parameter, names lowercased and sorted, repeated values sorted and comma-joined).
    /// </summary>
    public static string Blob(string verb, IEnumerable<KeyValuePair<string, string>> headers, long contentLength, string account, string path, string query)
    {
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
            byName[name] = value;
        string H(string name) => byName.GetValueOrDefault(name, "");

        var sb = new StringBuilder(256);
        sb.Append(verb).Append('\n')
          .Append(H("Content-Encoding")).Append('\n')
          .Append(H("Content-Language")).Append('\n')
          .Append(contentLength > 0 ? contentLength.ToString(System.Globalization.CultureInfo.InvariantCulture) : "").Append('\n')
          .Append(H("Content-MD5")).Append('\n')
          .Append(H("Content-Type")).Append('\n')
          .Append('\n') // Date: empty because x-ms-date is always sent
          .Append(H("If-Modified-Since")).Append('\n')
          .Append(H("If-Match")).Append('\n')
          .Append(H("If-None-Match")).Append('\n')
          .Append(H("If-Unmodified-Since")).Append('\n')
          .Append(H("Range")).Append('\n');

        foreach (var name in byName.Keys.Where(n => n.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
                     .Select(n => n.ToLowerInvariant()).Order(StringComparer.Ordinal))
            sb.Append(name).Append(':').Append(byName[name].Trim()).Append('\n');

        sb.Append('/').Append(account).Append(path);
        foreach (var group in ParseQuery(query).GroupBy(p => p.Name.ToLowerInvariant()).OrderBy(g => g.Key, StringComparer.Ordinal))
            sb.Append('\n').Append(group.Key).Append(':').Append(string.Join(',', group.Select(p => p.Value).Order(StringComparer.Ordinal)));
        return sb.ToString();
    }

    private static IEnumerable<(string Name, string Value)> ParseQuery(string query)
    {
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            yield return eq < 0
                ? (Uri.UnescapeDataString(pair), "")
                : (Uri.UnescapeDataString(pair[..eq]), Uri.UnescapeDataString(pair[(eq + 1)..]));
        }
    }
}
