using IndicatorFunctions.Ingestion;

namespace IndicatorFunctions.Collection;

public enum SourceKind { HttpCsv, HttpJson, BlobDrop, PressRelease }

public static class SourceKinds
{
    public const string Names = "http-csv, http-json, blob-drop or press-release";

    public static string ToName(this SourceKind kind) => kind switch
    {
        SourceKind.HttpCsv => "http-csv",
        SourceKind.HttpJson => "http-json",
        SourceKind.PressRelease => "press-release",
        _ => "blob-drop",
    };

    public static bool TryParse(string? name, out SourceKind kind)
    {
        (var ok, kind) = name switch
        {
            "http-csv" => (true, SourceKind.HttpCsv),
            "http-json" => (true, SourceKind.HttpJson),
            "blob-drop" => (true, SourceKind.BlobDrop),
            "press-release" => (true, SourceKind.PressRelease),
            _ => (false, default),
        };
        return ok;
    }
}

/// <summary>A request header: a literal <see cref="Value"/>, or the name of the app <see cref="Setting"/> holding a secret.</summary>
public sealed record SourceHeader(string Name, string? Value, string? Setting);

/// <summary>
/// A configured source. <c>http-*</c> sources fetch <see cref="Url"/> (where <c>{setting:Name}</c> is replaced by app
/// setting Name); <c>blob-drop</c> sources read files analysts drop under
/// <see cref="Container"/>/<see cref="Prefix"/>. <see cref="Mapping"/> and <see cref="Defaults"/> turn a
/// payload into observation rows (JSON records at <see cref="Records"/>, default <c>observations</c>, the push shape); <see cref="Schedule"/> (NCRONTAB) limits which runs collect it.
/// A <c>press-release</c> source is an http page (<see cref="Url"/>) or a blob drop of <c>.txt</c> / <c>.html</c>
/// articles (<see cref="Container"/>): its figures are extracted, not mapped (the <c>district</c> default names the
/// district its articles are about when they do not say).
/// </summary>
public sealed record Source(
    string Id,
    SourceKind Kind,
    bool Enabled,
    string? Description,
    string? Url,
    IReadOnlyList<SourceHeader> Headers,
    string? Container,
    string? Prefix,
    string? Records,
    IReadOnlyDictionary<string, string> Mapping,
    IReadOnlyDictionary<string, string> Defaults,
    string? Schedule)
{
    public string KindName => Kind.ToName();

    /// <summary>Headers as they are written in a PUT: a string, or <c>{"setting": name}</c> — never a secret's value.</summary>
    public IReadOnlyDictionary<string, object> HeaderMap =>
        Headers.ToDictionary(h => h.Name, h => h.Setting is null ? (object)h.Value! : new { setting = h.Setting });

    public bool IsHttp => Kind is SourceKind.HttpCsv or SourceKind.HttpJson || Kind == SourceKind.PressRelease && Url is not null;

    /// <summary>Observations from this source say where they came from unless the payload or defaults say otherwise.</summary>
    public RowMapping ToRowMapping() => new()
    {
        Fields = Mapping,
        Defaults = Defaults.ContainsKey("source") ? Defaults : new Dictionary<string, string>(Defaults) { ["source"] = Id },
        Records = Records ?? "observations",
        NumbersInStrings = true,
    };
}
