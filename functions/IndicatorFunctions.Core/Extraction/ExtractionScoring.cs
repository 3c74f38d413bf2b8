using System.Text.Json;

namespace IndicatorFunctions.Extraction;

/// <summary>A hand-annotated fact. <see cref="Period"/> null: a numeric statement whose period the text does not give (listed, not scored).</summary>
public sealed record GoldFact(string Article, string? Indicator, string Kind, string? Period, double Value, string Unit, string? Text);

/// <summary>An article's annotations: its publication date when the annotator gave one, and its facts.</summary>
public sealed record GoldArticle(string Article, PublishedDate? Published, IReadOnlyList<GoldFact> Facts);

/// <summary>How one article scored: extracted facts that match no gold fact, and gold facts nothing matched.</summary>
public sealed record ArticleScore(string Article, int Extracted, int Gold, int Matched, int Unscored, IReadOnlyList<ExtractedFact> Wrong, IReadOnlyList<GoldFact> Missed);

/// <summary>Precision and recall over a set of articles (micro-averaged: every fact counts once).</summary>
public sealed record ExtractionScore(IReadOnlyList<ArticleScore> Articles)
{
    public int Extracted => Articles.Sum(a => a.Extracted);
    public int Gold => Articles.Sum(a => a.Gold);
    public int Matched => Articles.Sum(a => a.Matched);
    public double Precision => Extracted == 0 ? 1 : (double)Matched / Extracted;
    public double Recall => Gold == 0 ? 1 : (double)Matched / Gold;
}

/// <summary>
/// Scores the extractor against hand-annotated facts (JSON Lines). A line with <c>article</c> and no <c>value</c>
/// gives the article's <c>published</c> date; every other line is a fact: <c>article</c> (file name), <c>kind</c>,
/// <c>period</c>, <c>value</c>, <c>unit</c> (and, for people, <c>indicator</c>, <c>text</c>, <c>note</c>). An extracted
/// fact counts as found when its value (within 0.5 %), unit, kind and period match a gold fact of the same article
/// not matched already. Gold facts with a null period are counted apart (<see cref="ArticleScore.Unscored"/>).
/// </summary>
public static class ExtractionScoring
{
    public const double Tolerance = 0.005;

    public static List<GoldArticle> ReadGold(string jsonl)
    {
        var published = new Dictionary<string, PublishedDate?>(StringComparer.OrdinalIgnoreCase);
        var facts = new Dictionary<string, List<GoldFact>>(StringComparer.OrdinalIgnoreCase);
        var line = 0;
        foreach (var text in jsonl.Split('\n'))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
                continue;
            using var doc = JsonDocument.Parse(text);
            var o = doc.RootElement;
            var article = Str(o, "article") ?? Str(o, "file") ?? throw new FormatException($"gold line {line}: 'article' (the file name) is required");
            facts.TryAdd(article, []);
            if (Str(o, "published") is { } p && PublishedDate.TryParse(p, out var date))
                published[article] = date;
            if (!o.TryGetProperty("value", out var value))
                continue;
            facts[article].Add(new GoldFact(article, Str(o, "indicator"),
                Str(o, "kind") ?? throw new FormatException($"gold line {line}: 'kind' is required"),
                Str(o, "period"), value.GetDouble(),
                Str(o, "unit") ?? throw new FormatException($"gold line {line}: 'unit' is required"), Str(o, "text")));
        }
        return facts.Select(f => new GoldArticle(f.Key, published.GetValueOrDefault(f.Key), f.Value)).ToList();
    }

    private static string? Str(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static ArticleScore Score(string article, IReadOnlyList<ExtractedFact> extracted, IReadOnlyList<GoldFact> gold)
    {
        var open = gold.Where(g => g.Period is not null).ToList();
        var scored = open.Count;
        var wrong = new List<ExtractedFact>();
        foreach (var fact in extracted)
        {
            var match = open.FirstOrDefault(g => Matches(fact, g));
            if (match is null)
                wrong.Add(fact);
            else
                open.Remove(match);
        }
        return new ArticleScore(article, extracted.Count, scored, extracted.Count - wrong.Count, gold.Count - scored, wrong, open);
    }

    public static bool Matches(ExtractedFact fact, GoldFact gold) =>
        string.Equals(fact.Period, gold.Period, StringComparison.OrdinalIgnoreCase)
        && Kind(fact.Kind) == Kind(gold.Kind)
        && Unit(fact.Unit) == Unit(gold.Unit)
        && Math.Abs(fact.Value - gold.Value) <= Tolerance * Math.Abs(gold.Value);

    private static string Kind(string kind) => kind.Trim().ToLowerInvariant().Replace('-', '_');

    /// <summary>Unit spellings an annotator may use, reduced to the extractor's canonical units.</summary>
    private static string Unit(string unit) => unit.Trim().ToLowerInvariant() switch
    {
        "cny" or "yuan" or "rmb" => FactUnits.Cny,
        "usd" or "us$" or "$" or "dollars" => FactUnits.Usd,
        "%" or "percent" or "pct" or "per cent" => FactUnits.Percent,
        "pp" or "percentage points" or "percentage-points" => FactUnits.PercentagePoints,
        "count" or "number" or "" => FactUnits.Count,
        "t" or "tonnes" or "tons" or "tonne" or "ton" => FactUnits.Tonnes,
        "m2" or "sqm" or "square metres" or "square meters" or "square-metres" or "square-meters" => FactUnits.SquareMetres,
        "per-10k" or "per-10k-residents" or "per 10,000 people" or "per-10000-people" => FactUnits.PerTenThousandResidents,
        var other => other,
    };

    /// <summary>Extracts every article and scores it; articles without annotations count all their facts as wrong.</summary>
    public static ExtractionScore Run(IReadOnlyList<GoldArticle> gold, IReadOnlyDictionary<string, string> articles, IndicatorVocabulary? vocabulary = null)
    {
        var byName = gold.ToDictionary(g => Path.GetFileNameWithoutExtension(g.Article), StringComparer.OrdinalIgnoreCase);
        var missing = byName.Keys.Except(articles.Keys.Select(Path.GetFileNameWithoutExtension), StringComparer.OrdinalIgnoreCase).ToList();
        if (missing.Count > 0)
            throw new FileNotFoundException($"annotated articles not found: {string.Join(", ", missing)}");
        var scores = new List<ArticleScore>();
        foreach (var (name, text) in articles.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            var annotations = byName.GetValueOrDefault(Path.GetFileNameWithoutExtension(name));
            var html = name.EndsWith(".html", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".htm", StringComparison.OrdinalIgnoreCase);
            var input = new ArticleInput(text, html, annotations?.Published ?? PeriodPhrases.PublishedFor(name, text));
            var facts = FactExtractor.Extract(input, vocabulary).Facts;
            scores.Add(Score(name, facts, annotations?.Facts ?? []));
        }
        return new ExtractionScore(scores);
    }
}
