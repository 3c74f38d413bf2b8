using System.Text;
using System.Text.RegularExpressions;

using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Extraction;

/// <summary>What an indicator's figures are: money, a count, a percentage (a rate), a ratio per 10,000 residents, or any unit.</summary>
public enum MeasureClass { Money, Count, Percent, PerTenThousand, Any }

/// <summary>An indicator the extractor knows by its phrases; <see cref="Patterns"/> are regular expressions over lower-case text.</summary>
public sealed record VocabularyEntry(string Id, MeasureClass Measure, IReadOnlyList<string> Patterns);

/// <summary>A phrase found in a sentence and the indicator it names.</summary>
public sealed record IndicatorMention(int Start, int End, VocabularyEntry Entry);

/// <summary>
/// The indicator vocabulary: built-in phrases for the figures district news reports (GDP, industrial added value,
/// retail sales, foreign trade, fixed-asset investment, budget revenue, foreign capital, enterprise counts, cluster
/// output …), plus the <c>phrases</c> of catalog indicators, which add to them (a catalog phrase naming a built-in
/// phrase takes it over). Matching is case-insensitive; spaces and hyphens between words are interchangeable.
/// </summary>
public sealed class IndicatorVocabulary
{
    private const string AddedValue = @"(?:added[- ]value|value[- ]added)";
    private const string AboveSize = @"(?:\s+above\s+(?:a\s+|the\s+)?designated\s+size)?";

    /// <summary>The built-in entries. Ids follow the sample catalog (samples/catalog.json) where it has the indicator.</summary>
    public static IReadOnlyList<VocabularyEntry> Builtin { get; } =
    [
        new("gdp-per-capita", MeasureClass.Money, [@"per[- ]capita gdp", @"gdp per capita", @"per[- ]capita gross domestic product"]),
        new("gdp", MeasureClass.Money, [@"(?:regional )?gross domestic product", @"gross regional product", @"regional gdp", @"\bgdp\b", @"(?:total )?economic (?:output|aggregate|volume)", @"economic aggregate"]),
        new("industrial-added-value", MeasureClass.Money, [$@"{AddedValue} of (?:(?:the )?industrial enterprises|industries|(?:the )?industry|(?:the )?industrial sector){AboveSize}", $@"(?:above[- ]scale |large[- ]scale )?industrial {AddedValue}(?: of (?:industrial )?enterprises)?{AboveSize}", $@"{AddedValue} of (?:above[- ]scale|large[- ]scale|designated[- ]size) industr(?:y|ies|ial enterprises)"]),
        new("industrial-output", MeasureClass.Money, [$@"(?:total |gross )?industrial output(?: value)?(?: of (?:industrial )?enterprises)?{AboveSize}", $@"output value of (?:(?:the )?industrial enterprises|industries|(?:the )?industry){AboveSize}", @"gross output value of industry"]),
        new("digital-economy-added-value", MeasureClass.Money, [$@"{AddedValue} of (?:the )?(?:core industries of (?:the )?)?digital economy", $@"digital economy(?: core industries)? {AddedValue}", @"scale of (?:the )?digital economy", @"(?:the )?digital economy"]),
        new("services-added-value", MeasureClass.Money, [$@"{AddedValue} of (?:the )?(?:tertiary|service|services) (?:industry|industries|sector)", $@"(?:tertiary|service) (?:industry|sector) {AddedValue}"]),
        new("retail-sales", MeasureClass.Money, [@"(?:total )?retail sales of (?:social )?consumer goods", @"(?:total )?(?:social )?consumer goods retail sales", @"(?:total )?retail sales", @"retail consumption"]),
        new("foreign-trade", MeasureClass.Money, [@"total (?:value of )?(?:imports? and exports?|import and export)(?: volume| value| trade)?", @"(?:imports? and exports?|import and export)(?: volume| value| trade)?", @"(?:total )?foreign trade(?: volume| value)?", @"total trade(?: volume| value)?", @"trade volume", @"(?:total )?(?:foreign|external) trade"]),
        new("exports", MeasureClass.Money, [@"(?:total )?exports", @"export value", @"value of exports"]),
        new("imports", MeasureClass.Money, [@"(?:total )?imports", @"import value", @"value of imports"]),
        new("fixed-asset-investment", MeasureClass.Money, [@"fixed[- ]assets? investments?", @"investments? in fixed assets", @"fixed[- ]asset investment"]),
        new("budget-revenue", MeasureClass.Money, [@"(?:local )?general (?:public )?budget(?:ary)? revenues?", @"(?:local )?public budget(?:ary)? revenues?", @"(?:local )?fiscal (?:revenues?|income)", @"budget(?:ary)? revenues?"]),
        new("tax-revenue", MeasureClass.Money, [@"tax (?:revenues?|income)", @"taxes? paid"]),
        new("foreign-capital", MeasureClass.Money, [@"actual(?:ly)? (?:use|utilization|utilisation|usage) of foreign (?:capital|investment|funds)", @"actual(?:ly)? (?:utilized|utilised|used|paid-in) foreign (?:capital|investment|funds)", @"(?:paid-in|realized|utilized|utilised|actual) foreign (?:capital|investment|direct investment)", @"foreign direct investment", @"\bfdi\b", @"foreign capital", @"foreign investment"]),
        new("disposable-income", MeasureClass.Money, [@"per[- ]capita disposable income(?: of (?:urban|rural|all) residents)?", @"disposable income per capita", @"(?:per[- ]capita )?disposable income"]),
        new("rd-intensity", MeasureClass.Percent, [@"r ?& ?d intensity", @"research and development intensity"]),
        new("rd-spending", MeasureClass.Money, [@"r ?& ?d (?:spending|expenditures?|investment|input|expenses)", @"research and development (?:spending|expenditures?|investment|input|expenses)", @"(?:spending|expenditures?|investment) (?:on|in) (?:r ?& ?d|research and development)"]),
        new("invention-patents-per-10k", MeasureClass.PerTenThousand, [@"(?:high-value )?invention patents (?:owned |held )?per 10,?000 (?:people|residents|persons|population|inhabitants)"]),
        new("invention-patents", MeasureClass.Count, [@"invention patents?"]),
        new("patents", MeasureClass.Count, [@"patents?(?: granted| authorized| applications)?"]),
        new("high-tech-enterprises", MeasureClass.Count, [@"(?:national |state-level )?high[- ]?tech(?:nology)? (?:enterprises|companies|firms)", @"high and new tech(?:nology)? enterprises", @"hi-tech (?:enterprises|companies|firms)"]),
        new("market-entities", MeasureClass.Count, [@"market (?:entities|players|subjects)", @"business entities"]),
        new("enterprises", MeasureClass.Count, [@"(?:registered )?enterprises", @"companies", @"firms"]),
        new("projects", MeasureClass.Count, [@"projects"]),
        new("population", MeasureClass.Count, [@"(?:permanent |resident |registered |household )?population", @"permanent residents"]),
        new("tourism-revenue", MeasureClass.Money, [@"(?:total )?tourism (?:revenues?|income)", @"tourist (?:revenues?|income)"]),
        new("tourists", MeasureClass.Count, [@"tourist (?:visits|arrivals)", @"(?:tourists|visitors)"]),
        new("jobs", MeasureClass.Count, [@"new (?:urban )?jobs", @"jobs"]),
        new("unemployment-rate", MeasureClass.Percent, [@"(?:surveyed |registered )?(?:urban )?unemployment rate"]),
        new("urbanization-rate", MeasureClass.Percent, [@"urbani[sz]ation rate"]),
        new("green-coverage-rate", MeasureClass.Percent, [@"(?:forest|green|greening|vegetation) coverage(?: rate)?"]),
        new("employment-rate", MeasureClass.Percent, [@"employment rate"]),
        new("occupancy-rate", MeasureClass.Percent, [@"occupancy rate"]),
        new("investment", MeasureClass.Money, [@"(?:total |contracted |planned |actual |agreed )?investment(?: value| volume)?"]),
        new("output", MeasureClass.Money, [@"output value of (?:the )?(?:[\w&'-]+ ){1,4}?(?:industry|industries|clusters?|sector|chain)", @"(?:industrial )?clusters?(?: output(?: value)?)?", @"output value", @"(?:operating )?scale of (?:the )?(?:[\w&'-]+ ){1,4}?(?:industry|industries|clusters?)"]),
        new("revenue", MeasureClass.Money, [@"(?:operating |business |main business |total )?(?:revenues?|income)"]),
        new("profit", MeasureClass.Money, [@"(?:total |net )?profits?"]),
        new("electricity-consumption", MeasureClass.Any, [@"(?:total )?(?:electricity|power) consumption"]),
        new("cargo-throughput", MeasureClass.Any, [@"(?:cargo|freight) throughput"]),
        new("container-throughput", MeasureClass.Any, [@"container throughput"]),
    ];

    public static IndicatorVocabulary Default { get; } = new([]);

    private readonly List<Regex> _patterns;
    private readonly List<VocabularyEntry> _entries;

    /// <summary>The built-in vocabulary plus catalog phrases (indicator id → phrases as written, matched literally).</summary>
    public IndicatorVocabulary(IEnumerable<(string Id, string Unit, IReadOnlyList<string> Phrases)> catalogPhrases)
    {
        var alternatives = new List<(string Pattern, int Entry, int Weight)>();
        _entries = [];
        foreach (var (id, unit, phrases) in catalogPhrases)
        {
            if (phrases.Count == 0)
                continue;
            var entry = new VocabularyEntry(id, MeasureOf(unit), phrases.Select(Literal).ToList());
            _entries.Add(entry);
            // Catalog phrases go first: at one position the catalog's phrase wins over a built-in one of equal length.
            alternatives.AddRange(entry.Patterns.Select(p => (p, _entries.Count - 1, 1)));
        }
        foreach (var entry in Builtin)
        {
            _entries.Add(entry);
            alternatives.AddRange(entry.Patterns.Select(p => (p, _entries.Count - 1, 0)));
        }
        // Longer (more specific) patterns first; one named group per entry.
        var ordered = alternatives.OrderByDescending(a => a.Pattern.Length).ThenByDescending(a => a.Weight)
            .Select(a => $"(?<e{a.Entry}>{a.Pattern})").ToList();
        _patterns = Compile(ordered);
    }

    /// <summary>
    /// The non-backtracking engine runs one automaton over a sentence instead of trying every alternative at every
    /// position (about twenty times faster here); its automata have a size limit, so a long vocabulary is split
    /// into several, each a part of the alternatives.
    /// </summary>
    private static List<Regex> Compile(List<string> alternatives)
    {
        try
        {
            return [new Regex($@"\b(?:{string.Join("|", alternatives)})\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)];
        }
        catch (NotSupportedException) when (alternatives.Count > 1)
        {
            var half = alternatives.Count / 2;
            return [.. Compile(alternatives[..half]), .. Compile(alternatives[half..])];
        }
    }

    /// <summary>From a catalog snapshot's indicators, by their phrases.</summary>
    public static IndicatorVocabulary From(IEnumerable<Indicator> indicators)
    {
        var phrases = indicators.Where(i => i.Phrases.Count > 0).Select(i => (i.Id, i.Unit, i.Phrases)).ToList();
        return phrases.Count == 0 ? Default : new IndicatorVocabulary(phrases);
    }

    /// <summary>Indicator phrases in <paramref name="text"/>[start, end), left to right, none overlapping (the longest where several start at one place).</summary>
    public List<IndicatorMention> Find(string text, int start, int end)
    {
        var all = new List<IndicatorMention>();
        foreach (var pattern in _patterns)
        {
            for (var m = pattern.Match(text, start, end - start); m.Success; m = m.NextMatch())
            {
                foreach (Group g in m.Groups)
                {
                    if (g.Success && g.Name.StartsWith('e'))
                    {
                        all.Add(new IndicatorMention(m.Index, m.Index + m.Length, _entries[int.Parse(g.Name.AsSpan(1), provider: System.Globalization.CultureInfo.InvariantCulture)]));
                        break;
                    }
                }
            }
        }
        // Leftmost, then longest; at the same place and length, the entry listed first (catalog phrases come first).
        all.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start)
            : a.End != b.End ? b.End.CompareTo(a.End)
            : _entries.IndexOf(a.Entry).CompareTo(_entries.IndexOf(b.Entry)));
        var found = new List<IndicatorMention>();
        foreach (var mention in all)
        {
            if (found.Count == 0 || mention.Start >= found[^1].End)
                found.Add(mention);
        }
        return found;
    }

    /// <summary>The entry a phrase names exactly (a counted noun such as "high-tech enterprises"), if any.</summary>
    public VocabularyEntry? Exactly(string phrase) =>
        Find(phrase, 0, phrase.Length) is [var only] && only.Start == 0 && only.End == phrase.Length ? only.Entry : null;

    private static string Literal(string phrase)
    {
        var words = phrase.Trim().Split([' ', '-'], StringSplitOptions.RemoveEmptyEntries);
        return string.Join(@"[\s-]+", words.Select(Regex.Escape));
    }

    private static MeasureClass MeasureOf(string unit) => unit switch
    {
        FactUnits.Cny or FactUnits.Usd or FactUnits.Hkd or FactUnits.Eur => MeasureClass.Money,
        FactUnits.Count => MeasureClass.Count,
        FactUnits.Percent => MeasureClass.Percent,
        FactUnits.PerTenThousandResidents => MeasureClass.PerTenThousand,
        _ => MeasureClass.Any,
    };

    /// <summary>A slug of a phrase: "new regional headquarters" → <c>new-regional-headquarters</c>; null when nothing is left.</summary>
    public static string? SlugOf(string phrase)
    {
        var slug = new StringBuilder();
        foreach (var c in phrase.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
                slug.Append(c);
            else if (slug.Length > 0 && slug[^1] != '-' && c != '&' && c != '\'')
                slug.Append('-');
        }
        var text = slug.ToString().Trim('-');
        if (text.Length > 63)
            text = text[..63].TrimEnd('-');
        return Slug.IsValid(text) ? text : null;
    }
}
