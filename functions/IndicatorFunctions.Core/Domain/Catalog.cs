using System.Text.RegularExpressions;

namespace IndicatorFunctions.Domain;

public enum AggregationMethod { Sum, Mean, Min, Max, None }

public enum ClusterKind { Industrial, Region }

/// <summary>An indicator. <see cref="Phrases"/>: how press releases name it, added to the extractor's built-in vocabulary.</summary>
public sealed record Indicator(string Id, string Name, string Unit, AggregationMethod Aggregation, int Decimals, string? Description)
{
    public IReadOnlyList<string> Phrases { get; init; } = [];
}

public sealed record District(string Id, string Name, string? Region, IReadOnlyList<string> Aliases);

/// <summary>A cluster member: a district, or a district × sector pair, effective from/to (years, inclusive; open when absent).</summary>
public sealed record ClusterMember(string District, string? Sector, int? From, int? To)
{
    /// <summary>The sector of the member's series: a district member means the district total.</summary>
    public string SeriesSector => Sector ?? Slug.TotalSector;

    /// <summary>The id dashboards see: <c>district</c> or <c>district/sector</c>.</summary>
    public string MemberId => Sector is null ? District : $"{District}/{Sector}";

    public bool EffectiveIn(int year) => (From is null || From <= year) && (To is null || year <= To);
}

public sealed record Cluster(string Id, string Name, ClusterKind Kind, IReadOnlyList<ClusterMember> Members, double? MinCoverage);

public static partial class Slug
{
    public const string TotalSector = "total";
    public const string Rule = "a slug: lowercase letters, digits and hyphens, 1-63 characters, starting with a letter or digit";

    // \z, not $: $ would accept a trailing newline.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,62}\z")]
    private static partial Regex Pattern();

    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    /// <summary>Adds an error when an id (route or body) is not a slug — the check that keeps ids out of filters as anything but ids.</summary>
    public static void Check(List<FieldError> errors, string field, string? value)
    {
        if (!IsValid(value))
            errors.Add(new FieldError(field, $"{field} '{value}' must be {Rule}"));
    }
}

/// <summary>A field that broke a rule. <see cref="Row"/> and <see cref="Rule"/> (a stable code) are set for ingestion rows.</summary>
public sealed record FieldError(string Field, string Message, int? Row = null, string? Rule = null);
