using System.Text.Json;
using System.Text.RegularExpressions;

using IndicatorFunctions.Domain;
using IndicatorFunctions.Ingestion;
using IndicatorFunctions.Scheduling;

namespace IndicatorFunctions.Collection;

/// <summary>The body of <c>PUT /api/sources/{id}</c>. Header values are a string or <c>{"setting": "Name"}</c> (app setting <c>SourceSecrets__Name</c>).</summary>
public sealed record SourceBody(
    string? Kind,
    bool? Enabled,
    string? Description,
    string? Url,
    Dictionary<string, JsonElement>? Headers,
    string? Container,
    string? Prefix,
    string? Records,
    Dictionary<string, string>? Mapping,
    Dictionary<string, string>? Defaults,
    string? Schedule);

/// <summary>Every rule a source definition must keep, checked field by field so a PUT names all that is wrong at once.</summary>
public static partial class SourceRules
{
    private const int MaxText = 1024;

    /// <summary>
    /// Header and query parameter names whose values are credentials (a SAS <c>sig</c>, a Functions <c>code</c>
    /// too): these must come from an app setting, never sit in a table.
    /// </summary>
    [GeneratedRegex(@"auth|key|token|secret|pass|pwd|cookie|signature|credential|session|sas|^sig$|^code$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    /// <summary>
    /// A source names its secrets by key within the app settings section <see cref="SecretsSection"/>, so a
    /// definition can reach only what was put there for sources — never AzureWebJobsStorage or AdminApiKey.
    /// </summary>
    public const string SecretsSection = "SourceSecrets";

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.-]{0,127}\z")]
    private static partial Regex SettingName();

    /// <summary><c>{setting:Name}</c> in a URL: replaced, escaped, by app setting SourceSecrets__Name when fetching (braces never occur in a URL, percent signs do).</summary>
    [GeneratedRegex(@"\{setting:([A-Za-z_][A-Za-z0-9_.-]{0,127})\}")]
    internal static partial Regex SettingReference();

    [GeneratedRegex(@"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}\z")]
    private static partial Regex HeaderName();

    /// <summary>Container names as Blob Storage allows them: 3-63 lowercase letters, digits and single hyphens.</summary>
    [GeneratedRegex(@"^(?=.{3,63}\z)[a-z0-9]+(-[a-z0-9]+)*\z")]
    private static partial Regex ContainerName();

    // Headers HttpClient sets itself, or that would change what a conditional GET means; Content-* cannot go on a GET.
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Transfer-Encoding", "Connection", "If-None-Match", "If-Modified-Since", "Expect", "Upgrade",
    };

    public static Source? Validate(string id, SourceBody? body, List<FieldError> errors)
    {
        Slug.Check(errors, "id", id);
        if (body is null)
        {
            errors.Add(new FieldError("body", "a JSON source definition is required"));
            return null;
        }
        var knownKind = SourceKinds.TryParse(body.Kind, out var kind);
        if (!knownKind)
            errors.Add(new FieldError("kind", $"kind must be {SourceKinds.Names}"));
        if (body.Description is { Length: > MaxText })
            errors.Add(new FieldError("description", $"description is longer than {MaxText} characters"));

        // Kind-specific fields are checked only against a known kind: a typo in kind is one error, not three.
        var headers = new List<SourceHeader>();
        if (knownKind && kind == SourceKind.PressRelease)
        {
            CheckPressRelease(body, errors);
            if (body.Url is not null)
                headers = CheckHeaders(body.Headers, errors);
        }
        else if (knownKind && kind is SourceKind.HttpCsv or SourceKind.HttpJson)
        {
            CheckUrl(body.Url, errors);
            headers = CheckHeaders(body.Headers, errors);
            NotFor(errors, "container", body.Container, kind);
            NotFor(errors, "prefix", body.Prefix, kind);
        }
        else if (knownKind && kind == SourceKind.BlobDrop)
        {
            if (body.Container is null || !ContainerName().IsMatch(body.Container))
                errors.Add(new FieldError("container", "container is required: a blob container name (3-63 lowercase letters, digits and single hyphens)"));
            if (body.Prefix is { Length: > MaxText })
                errors.Add(new FieldError("prefix", $"prefix is longer than {MaxText} characters"));
            NotFor(errors, "url", body.Url, kind);
            if (body.Headers is { Count: > 0 })
                errors.Add(new FieldError("headers", "headers apply to http-csv, http-json and press-release pages only"));
        }

        if (body.Records is { Length: > MaxText })
            errors.Add(new FieldError("records", $"records is longer than {MaxText} characters"));
        var mapping = CheckMapping(body.Mapping, errors);
        var defaults = CheckDefaults(body.Defaults, errors);

        if (body.Schedule is not null && !Schedules.TryParse(body.Schedule, out _, out var cronError))
            errors.Add(new FieldError("schedule", $"schedule '{body.Schedule}' is not an NCRONTAB expression: {cronError}"));

        if (errors.Count > 0)
            return null;
        return new Source(id, kind, body.Enabled ?? true, body.Description, body.Url, headers,
            body.Container, body.Prefix, body.Records, mapping, defaults, body.Schedule);
    }

    /// <summary>A press-release source is a page (url) or a drop container, not both; its figures are extracted, so nothing is mapped.</summary>
    private static void CheckPressRelease(SourceBody body, List<FieldError> errors)
    {
        if ((body.Url is null) == (body.Container is null))
            errors.Add(new FieldError("url", "a press-release source has either url (a page) or container (a blob drop of .txt and .html articles), not both"));
        else if (body.Url is not null)
            CheckUrl(body.Url, errors);
        else if (!ContainerName().IsMatch(body.Container!))
            errors.Add(new FieldError("container", "container must be a blob container name (3-63 lowercase letters, digits and single hyphens)"));
        if (body.Url is not null && body.Prefix is not null)
            errors.Add(new FieldError("prefix", "prefix applies to a press-release source with a container only"));
        if (body.Container is not null && body.Headers is { Count: > 0 })
            errors.Add(new FieldError("headers", "headers apply to a press-release source with a url only"));
        if (body.Mapping is { Count: > 0 })
            errors.Add(new FieldError("mapping", "press-release sources are extracted, not mapped: leave mapping out"));
        if (body.Records is not null)
            errors.Add(new FieldError("records", "records does not apply to press-release sources"));
        foreach (var field in body.Defaults?.Keys ?? Enumerable.Empty<string>())
        {
            if (field is not ("district" or "source"))
                errors.Add(new FieldError($"defaults.{field}", "a press-release source takes only defaults.district (the district its articles are about) and defaults.source"));
        }
    }

    private static void CheckUrl(string? url, List<FieldError> errors)
    {
        if (url is null || url.Length > 2048 || !Uri.TryCreate(SettingReference().Replace(url, "x"), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            errors.Add(new FieldError("url", "url is required: an absolute http or https URL of at most 2048 characters"));
            return;
        }
        if (uri.UserInfo.Length > 0)
            errors.Add(new FieldError("url", "url must not carry a user name or password: send credentials in a header whose value comes from an app setting"));
        // A literal credential in the query string would be stored in plain text: it must be a {setting:Name} reference.
        var query = url.Split('?', 2) is [_, var q] ? q.Split('#')[0] : "";
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = pair.IndexOf('=') is var eq and >= 0 ? (pair[..eq], pair[(eq + 1)..]) : (pair, "");
            if (value.Length > 0 && SecretName().IsMatch(Uri.UnescapeDataString(name)) && !IsWholeReference(value))
                errors.Add(new FieldError("url", $"query parameter '{name}' looks like a credential: write {name}={{setting:Name}} and put the value in app setting {SecretsSection}__Name"));
        }
    }

    /// <summary>The whole value is one <c>{setting:Name}</c>: a literal beside it would be stored in plain text.</summary>
    private static bool IsWholeReference(string value) => SettingReference().Match(value) is { Success: true } m && m.Length == value.Length;

    private static List<SourceHeader> CheckHeaders(Dictionary<string, JsonElement>? headers, List<FieldError> errors)
    {
        var result = new List<SourceHeader>();
        foreach (var (name, value) in headers ?? [])
        {
            var field = $"headers.{name}";
            if (!HeaderName().IsMatch(name))
            {
                errors.Add(new FieldError(field, $"'{name}' is not a valid header name"));
                continue;
            }
            if (Reserved.Contains(name) || name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new FieldError(field, $"header {name} is set by the collector itself"));
                continue;
            }
            if (value.ValueKind == JsonValueKind.String)
            {
                var text = value.GetString()!;
                if (SecretName().IsMatch(name))
                    errors.Add(new FieldError(field, $"header {name} carries a credential: write {{\"setting\": \"Name\"}} and put the value in app setting {SecretsSection}__Name; secrets are never stored in tables"));
                else if (text.Length > MaxText || text.Any(char.IsControl))
                    errors.Add(new FieldError(field, $"header {name} must be at most {MaxText} characters without control characters"));
                else
                    result.Add(new SourceHeader(name, text, null));
            }
            else if (value.ValueKind == JsonValueKind.Object && value.EnumerateObject().Count() == 1 &&
                     value.TryGetProperty("setting", out var setting) && setting.ValueKind == JsonValueKind.String)
            {
                if (!SettingName().IsMatch(setting.GetString()!))
                    errors.Add(new FieldError(field, $"'{setting.GetString()}' is not a setting name (letters, digits, _ . -; starting with a letter or _); it is read from app setting {SecretsSection}__<name>"));
                else
                    result.Add(new SourceHeader(name, null, setting.GetString()));
            }
            else
            {
                errors.Add(new FieldError(field, $"header {name} must be a string or {{\"setting\": \"Name\"}}"));
            }
        }
        return result;
    }

    private static Dictionary<string, string> CheckMapping(Dictionary<string, string>? mapping, List<FieldError> errors)
    {
        foreach (var (field, column) in mapping ?? [])
        {
            if (!ObservationParser.Fields.Contains(field))
                errors.Add(new FieldError($"mapping.{field}", $"'{field}' is not an observation field ({string.Join(", ", ObservationParser.Fields)})"));
            else if (string.IsNullOrWhiteSpace(column) || column.Length > 256)
                errors.Add(new FieldError($"mapping.{field}", $"mapping.{field} must name a column or JSON path (1-256 characters)"));
        }
        return mapping ?? [];
    }

    private static Dictionary<string, string> CheckDefaults(Dictionary<string, string>? defaults, List<FieldError> errors)
    {
        foreach (var (field, value) in defaults ?? [])
        {
            var name = $"defaults.{field}";
            if (field == "value")
                errors.Add(new FieldError(name, "value cannot have a default: every figure must come from the payload"));
            else if (!ObservationParser.Fields.Contains(field))
                errors.Add(new FieldError(name, $"'{field}' is not an observation field ({string.Join(", ", ObservationParser.Fields.Where(f => f != "value"))})"));
            else if (string.IsNullOrWhiteSpace(value) || value.Length > 256)
                errors.Add(new FieldError(name, $"defaults.{field} must be 1-256 characters"));
            else if (field == "scale" && !(double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var scale) && double.IsFinite(scale) && scale > 0))
                errors.Add(new FieldError(name, "defaults.scale must be a number greater than 0, such as 1e4 or 1e8"));
            else if (field == "status" && !StatusNames.TryParse(value, out _))
                errors.Add(new FieldError(name, "defaults.status must be final, provisional or estimated"));
            else if (field == "period" && !Period.TryParse(value, out _))
                errors.Add(new FieldError(name, $"defaults.period '{value}' is not a period ({Period.Syntax})"));
            else if (field is "indicator" or "sector" && !Slug.IsValid(value))
                errors.Add(new FieldError(name, $"defaults.{field} '{value}' must be {Slug.Rule}"));
        }
        return defaults ?? [];
    }

    private static void NotFor(List<FieldError> errors, string field, string? value, SourceKind kind)
    {
        if (value is not null)
            errors.Add(new FieldError(field, $"{field} does not apply to {kind.ToName()} sources"));
    }
}
