using IndicatorFunctions.Extraction;
using IndicatorFunctions.Tests.Infrastructure;

namespace IndicatorFunctions.Tests.Extraction;

/// <summary>The extractor against the hand-annotated fixtures (copies of the corpus press releases): the quality targets.</summary>
public class ExtractionQualityTests
{
    private static readonly string Fixtures = Path.Combine(RepositoryPaths.Root, "tests/IndicatorFunctions.Tests/Extraction/Fixtures");

    private static ExtractionScore Score()
    {
        var gold = ExtractionScoring.ReadGold(File.ReadAllText(Path.Combine(Fixtures, "gold.jsonl")));
        var articles = Directory.EnumerateFiles(Fixtures, "*.txt").ToDictionary(f => Path.GetFileName(f), File.ReadAllText);
        return ExtractionScoring.Run(gold, articles);
    }

    [Fact]
    public void Precision_and_recall_meet_the_targets_on_the_annotated_articles()
    {
        var score = Score();
        Assert.Equal(3, score.Articles.Count);
        Assert.True(score.Precision >= 0.90, $"precision {score.Precision:F3}: wrong {string.Join("; ", score.Articles.SelectMany(a => a.Wrong).Select(f => $"{f.Indicator} {f.Period} {f.Value}"))}");
        Assert.True(score.Recall >= 0.80, $"recall {score.Recall:F3}: missed {string.Join("; ", score.Articles.SelectMany(a => a.Missed).Select(g => g.Text))}");
    }

    [Fact]
    public void Every_fact_points_at_its_figure_in_its_sentence()
    {
        foreach (var file in Directory.EnumerateFiles(Fixtures, "*.txt"))
        {
            var text = File.ReadAllText(file);
            var result = FactExtractor.Extract(new ArticleInput(text, Published: PeriodPhrases.PublishedFor(file, text)));
            Assert.All(result.Facts, f =>
            {
                Assert.Contains(text[f.Start..f.End], f.Sentence);
                Assert.Matches(@"\d", text[f.Start..f.End]);
            });
        }
    }

    [Fact]
    public void Scoring_counts_a_fact_once_and_within_half_a_percent()
    {
        var gold = new List<GoldFact> { new("a", "gdp", "level", "2021", 100, "CNY", null), new("a", "gdp", "level", "2021", 100, "CNY", null), new("a", "x", "level", null, 5, "count", null) };
        ExtractedFact Fact(double value, string unit = "CNY", string kind = "level", string period = "2021") =>
            new() { Indicator = "gdp", Kind = kind, Period = period, Value = value, Unit = unit, Sentence = "", Start = 0, End = 0, Confidence = 1 };
        var score = ExtractionScoring.Score("a", [Fact(100.4), Fact(99.6), Fact(100), Fact(100, "USD"), Fact(100, kind: "target"), Fact(100, period: "2022")], gold);
        Assert.Equal((6, 2, 2, 1), (score.Extracted, score.Gold, score.Matched, score.Unscored));
    }
}
