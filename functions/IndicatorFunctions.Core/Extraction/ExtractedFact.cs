using System.Globalization;
using System.Text.RegularExpressions;

namespace IndicatorFunctions.Extraction;

/// <summary>What a figure measures: a level, a reported year-on-year growth, a share of a whole, or a target.</summary>
public static class FactKinds
{
    public const string Level = "level";
    public const string YoyGrowthPct = "yoy_growth_pct";
    public const string SharePct = "share_pct";
    public const string Target = "target";
}

/// <summary>
/// One figure read from an article, traceable to its sentence: <see cref="Start"/>..<see cref="End"/> is the figure's
/// character span in the text (for HTML, in the text extracted from it, see <see cref="ArticleText"/>).
/// </summary>
public sealed record ExtractedFact
{
    public string? District { get; init; }
    public string? DistrictId { get; init; }
    public required string Indicator { get; init; }
    public required string Kind { get; init; }
    public required string Period { get; init; }
    public required double Value { get; init; }
    public required string Unit { get; init; }
    public required string Sentence { get; init; }
    public required int Start { get; init; }
    public required int End { get; init; }
    public required double Confidence { get; init; }

    /// <summary>The text qualifies the figure ("more than", "about"): a bound or a rounding, not an exact count.</summary>
    public bool Approximate { get; init; }

    /// <summary>The text says the figure is final ("final data", "final verification").</summary>
    public bool Final { get; init; }
}

/// <summary>
/// A publication date, as precise as it is known: a year, a month or a day. Relative periods ("last year", "the first
/// half") are resolved against it.
/// </summary>
public readonly partial record struct PublishedDate(int Year, int? Month = null, int? Day = null)
{
    public const string Syntax = "YYYY, YYYY-MM or YYYY-MM-DD";

    [GeneratedRegex(@"^(?<y>(?:19|20|21)\d\d)(?:-(?<m>0[1-9]|1[0-2])(?:-(?<d>0[1-9]|[12]\d|3[01]))?)?(?:T.*)?\z")]
    private static partial Regex Pattern();

    public static bool TryParse(string? text, out PublishedDate date)
    {
        date = default;
        var match = text is null ? Match.Empty : Pattern().Match(text.Trim());
        if (!match.Success)
            return false;
        date = new PublishedDate(Number(match, "y")!.Value, Number(match, "m"), Number(match, "d"));
        return true;
    }

    private static int? Number(Match match, string group) =>
        match.Groups[group].Success ? int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : null;

    public override string ToString() =>
        Month is null ? $"{Year:D4}" : Day is null ? $"{Year:D4}-{Month:D2}" : $"{Year:D4}-{Month:D2}-{Day:D2}";
}

/// <summary>An article to read: its text (plain or HTML) and what is known about it.</summary>
public sealed record ArticleInput(string Text, bool IsHtml = false, PublishedDate? Published = null, string? Url = null, string? District = null);
