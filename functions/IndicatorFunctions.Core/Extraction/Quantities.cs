using System.Globalization;
using System.Text.RegularExpressions;

namespace IndicatorFunctions.Extraction;

/// <summary>Canonical units of extracted figures.</summary>
public static class FactUnits
{
    public const string Cny = "CNY";
    public const string Usd = "USD";
    public const string Hkd = "HKD";
    public const string Eur = "EUR";
    public const string Percent = "percent";
    public const string PercentagePoints = "percentage-points";
    public const string Count = "count";
    public const string Tonnes = "t";
    public const string SquareMetres = "m2";
    public const string SquareKilometres = "km2";
    public const string Hectares = "ha";
    public const string KilowattHours = "kWh";
    public const string Teu = "TEU";
    public const string PerTenThousandResidents = "per-10k-residents";

    public static bool IsMoney(string unit) => unit is Cny or Usd or Hkd or Eur;
}

/// <summary>A number as written, with its scale and unit: <c>RMB 3.5 billion</c>, <c>15.2%</c>, <c>1.45 million square meters</c>.</summary>
public sealed record Quantity(int Start, int End, double Value, string? Unit, bool Approximate, bool Year, string Number)
{
    /// <summary>A number of words such as "58 enterprises": set when a count noun follows.</summary>
    public CountNoun? Counted { get; init; }
}

/// <summary>The thing a bare number counts: "58 enterprises", "10 new regional headquarters".</summary>
public sealed record CountNoun(int Start, int End, string Phrase);

/// <summary>
/// The number grammar: digits with thousands separators and decimals; scale words (thousand, million, billion,
/// trillion, bn, 万, 亿, and "10,000 yuan" / "100 million yuan" written as units); currencies before or after
/// (RMB, CNY, yuan, US$, $, U.S. dollars, HK$, euros); percent and percentage points; tonnes, square metres,
/// hectares, kWh, TEU; and what a number is not (a year, a date, an ordinal, a rank, a code such as C8 or 5G, a phone
/// number, list numbering).
/// </summary>
public static partial class Quantities
{
    [GeneratedRegex(@"(?<![\p{N}_.,/:#@+-])(?<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d,]\d)")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"(?:(?<![\p{L}])(?<c>RMB|CNY|USD|HKD|EUR)|(?<c>US\$|U\.S\.\s?\$|HK\$|\$|¥|￥|€))\s?\z", RegexOptions.IgnoreCase)]
    private static partial Regex CurrencyBefore();

    [GeneratedRegex(@"\G(?:\s?(?<s>trillion|billion|million|thousand|hundred million|hundred thousand|bn|mln|mn|万亿|亿|万)(?![A-Za-z]))?(?:[\s-]?(?<us>10,000|10 000|ten thousand|100 million|hundred million)(?=[\s-]*(?:yuan|RMB|元)))?", RegexOptions.IgnoreCase)]
    private static partial Regex ScaleAfter();

    [GeneratedRegex(@"\G[\s-]?(?:(?<pp>percentage points?|percentage-points?|ppts?\b|pp\b)|(?<pct>%|percent\b|per cent\b|pct\b)|(?<cny>(?:Chinese )?yuan\b|RMB\b|renminbi\b|CNY\b|元)|(?<usd>U\.\s?S\.\s?dollars\b|US dollars\b|U\.S\. dollars\b|American dollars\b|dollars\b|USD\b)|(?<hkd>Hong Kong dollars\b|HK dollars\b|HKD\b)|(?<eur>euros?\b|EUR\b)|(?<t>metric tons\b|tonnes?\b|tons?\b)|(?<km2>square kilomet(?:er|re)s?\b|sq\.? ?km\b|km2\b)|(?<m2>square met(?:er|re)s?\b|sq\.? ?m\b|sqm\b|m2\b|㎡)|(?<ha>hectares?\b)|(?<kwh>kilowatt[- ]hours?\b|kWh\b)|(?<teu>TEUs?\b))", RegexOptions.IgnoreCase)]
    private static partial Regex UnitAfter();

    [GeneratedRegex(@"(?:more than|over|about|around|approximately|approx\.|nearly|almost|roughly|some|close to|at least|less than|under|exceed(?:ing|ed|s)?|above|up to|in excess of|no less than|no fewer than|upwards of|surpass(?:ing|ed)?)\s+(?:the\s+)?\z", RegexOptions.IgnoreCase)]
    private static partial Regex QualifierBefore();

    [GeneratedRegex(@"(?:\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?\s+\z)", RegexOptions.IgnoreCase)]
    private static partial Regex MonthBefore();

    [GeneratedRegex(@"(?:\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?\s+\d{1,2}(?:st|nd|rd|th)?,?|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?,?)\s*\z", RegexOptions.IgnoreCase)]
    private static partial Regex DayBefore();

    [GeneratedRegex(@"\G\s*(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b", RegexOptions.IgnoreCase)]
    private static partial Regex MonthAfter();

    [GeneratedRegex(@"(?:\b(?:top|no\.?|number|nos\.?|fortune|global|ranked|ranks?|ranking|phase|line|article|section|grade|level|class|room|building|gate|hall|floor|block|exit|route|version|chapter|item|batch|round|session|wave|stage|step|page|tier|per)\s*\z)|#\s*\z", RegexOptions.IgnoreCase)]
    private static partial Regex NotAFigureBefore();

    [GeneratedRegex(@"\G(?:st|nd|rd|th)\b|\G[:]\d|\G[-/]\d|\G\s*(?:years? old|o'clock|a\.m\.|p\.m\.|am\b|pm\b)", RegexOptions.IgnoreCase)]
    private static partial Regex NotAFigureAfter();

    /// <summary>Nouns whose count is a statistic (enterprises, projects, people, jobs …), after up to three modifiers.</summary>
    [GeneratedRegex(@"\G\s+(?<m>(?:(?!(?:of|in|and|or|with|to|for|by|from|at|on|per|than|was|were|is|are|has|have|had|will|this|that|these|those|its|their|which|who|as|into|across)\b)[\p{L}][\p{L}\p{N}&'-]*\s+){0,3}?)(?<n>enterprises|companies|firms|businesses|(?:market |business )?entities|market players|projects|people|persons|residents|inhabitants|visitors|tourists|tourist visits|trips|passengers|jobs|employees|workers|talents|professionals|graduates|students|teachers|doctors|patents|trademarks|headquarters|cent(?:er|re)s|institutes|institutions|laboratories|labs|incubators|schools|kindergartens|hospitals|clinics|beds|berths|parking (?:spaces|spots|lots)|(?:charging )?piles|charging stations|households|homes|houses|apartments|flats|dwellings|vehicles|cars|buses|stores|shops|outlets|restaurants|hotels|start-?ups|universities|colleges|elevators|lifts|contracts|flights|containers|seats)\b", RegexOptions.IgnoreCase)]
    private static partial Regex CountNounAfter();

    /// <summary>Every figure-like number in <paramref name="text"/>[start, end), with years kept (flagged) as period markers.</summary>
    public static List<Quantity> Find(string text, int start, int end)
    {
        var found = new List<Quantity>();
        var covered = start;
        for (var m = NumberPattern().Match(text, start, end - start); m.Success; m = m.NextMatch())
        {
            // "35.6 100 million yuan": the second number is the first one's unit.
            if (m.Index < covered)
                continue;
            var q = Read(text, m, end);
            if (q is null)
                continue;
            found.Add(q);
            covered = q.End;
        }
        return found;
    }

    private static Quantity? Read(string text, Match m, int limit)
    {
        var number = m.Groups["n"].Value;
        var value = double.Parse(number.Replace(",", ""), NumberStyles.Float, CultureInfo.InvariantCulture);
        var before = text.AsSpan(Math.Max(0, m.Index - 40), Math.Min(40, m.Index)).ToString();
        var start = m.Index;
        var pos = m.Index + m.Length;

        // A stray digit beside letters is a name or a code (C8, 5G, 3D, 4K), not a figure.
        var currency = CurrencyBefore().Match(before);
        if (!currency.Success && start > 0 && char.IsLetter(text[start - 1]))
            return null;
        if (currency.Success)
            start -= currency.Length;

        var scale = ScaleAfter().Match(text, pos);
        var multiplier = 1.0;
        if (scale.Groups["s"].Success)
            multiplier = Scale(scale.Groups["s"].Value);
        if (scale.Groups["us"].Success)
            multiplier *= scale.Groups["us"].Value.Contains("100") || scale.Groups["us"].Value.StartsWith("hundred", StringComparison.OrdinalIgnoreCase) ? 1e8 : 1e4;
        if (scale.Length > 0)
            pos += scale.Length;

        var unitMatch = UnitAfter().Match(text, pos);
        string? unit = null;
        if (unitMatch.Success && unitMatch.Index + unitMatch.Length <= limit)
        {
            unit = UnitOf(unitMatch);
            pos += unitMatch.Length;
        }
        if (currency.Success && (unit is null || FactUnits.IsMoney(unit)))
            unit = CurrencyUnit(currency.Groups["c"].Value) ?? unit;
        else if (currency.Success)
            return null;

        if (unit is null && scale.Length == 0)
        {
            if (pos < text.Length && char.IsLetter(text[pos]) || NotAFigureAfter().Match(text, pos).Success)
                return null;
            if (MonthBefore().IsMatch(before) && value <= 31 || MonthAfter().Match(text, pos).Success && value <= 31)
                return null;
            if (NotAFigureBefore().IsMatch(before))
                return null;
            if (IsListNumbering(text, m.Index, pos))
                return null;
        }
        else if (NotAFigureAfter().Match(text, m.Index + m.Length).Success)
        {
            return null;
        }

        var isYear = unit is null && scale.Length == 0 && !currency.Success && number.Length == 4 && value is >= 1949 and <= 2100;
        // "Jan. 17, 2021", "17 January 2021": the year of a date (a dateline, an event), not a period of figures.
        if (isYear && DayBefore().IsMatch(before))
            return null;
        var approximate = QualifierBefore().IsMatch(before);
        var quantity = new Quantity(start, pos, value * multiplier, unit, approximate, isYear, number);
        if (unit is null && !isYear)
        {
            var noun = CountNounAfter().Match(text, pos);
            if (noun.Success && noun.Index + noun.Length <= limit)
            {
                var phraseStart = noun.Groups["m"].Length > 0 ? noun.Groups["m"].Index : noun.Groups["n"].Index;
                var phrase = text[phraseStart..(noun.Index + noun.Length)];
                quantity = quantity with { Counted = new CountNoun(phraseStart, noun.Index + noun.Length, phrase) };
            }
        }
        return quantity;
    }

    /// <summary>"1. " or "2) " at the start of a paragraph or after a line break: numbering, not a figure.</summary>
    private static bool IsListNumbering(string text, int start, int end)
    {
        var i = start - 1;
        while (i >= 0 && text[i] == ' ')
            i--;
        return (i < 0 || text[i] == '\n') && end < text.Length && text[end] is '.' or ')' or '、';
    }

    private static double Scale(string word) => word.ToLowerInvariant() switch
    {
        "trillion" or "万亿" => 1e12,
        "billion" or "bn" => 1e9,
        "hundred million" or "亿" => 1e8,
        "million" or "mln" or "mn" => 1e6,
        "hundred thousand" => 1e5,
        "万" => 1e4,
        _ => 1e3,
    };

    private static string? CurrencyUnit(string symbol) => symbol.ToUpperInvariant().Replace(" ", "") switch
    {
        "RMB" or "CNY" or "¥" or "￥" => FactUnits.Cny,
        "USD" or "US$" or "U.S.$" or "$" => FactUnits.Usd,
        "HKD" or "HK$" => FactUnits.Hkd,
        "EUR" or "€" => FactUnits.Eur,
        _ => null,
    };

    private static string UnitOf(Match unit)
    {
        foreach (var (group, name) in UnitGroups)
        {
            if (unit.Groups[group].Success)
                return name;
        }
        throw new InvalidOperationException("a unit group matched");
    }

    private static readonly (string Group, string Unit)[] UnitGroups =
    [
        ("pp", FactUnits.PercentagePoints), ("pct", FactUnits.Percent), ("cny", FactUnits.Cny), ("usd", FactUnits.Usd),
        ("hkd", FactUnits.Hkd), ("eur", FactUnits.Eur), ("t", FactUnits.Tonnes), ("km2", FactUnits.SquareKilometres),
        ("m2", FactUnits.SquareMetres), ("ha", FactUnits.Hectares), ("kwh", FactUnits.KilowattHours), ("teu", FactUnits.Teu),
    ];
}
