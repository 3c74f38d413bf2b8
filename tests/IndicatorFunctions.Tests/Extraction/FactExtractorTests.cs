using IndicatorFunctions.Extraction;

namespace IndicatorFunctions.Tests.Extraction;

/// <summary>The extraction grammar, sentence by sentence: numbers, scales, currencies, periods, kinds, and what is not a fact.</summary>
public class FactExtractorTests
{
    private static IReadOnlyList<ExtractedFact> Extract(string text, string published = "2023-03-10")
    {
        PublishedDate.TryParse(published, out var date);
        return FactExtractor.Extract(new ArticleInput(text, Published: date)).Facts;
    }

    [Theory]
    [InlineData("In 2022, the district's GDP reached 215.6 billion yuan.", 215.6e9, "CNY")]
    [InlineData("In 2021, the district's GDP exceeded 1.2 trillion yuan.", 1.2e12, "CNY")]
    [InlineData("In 2022, retail sales totalled RMB 3.5 billion.", 3.5e9, "CNY")]
    [InlineData("In 2022, retail sales totalled RMB3.5 billion.", 3.5e9, "CNY")]
    [InlineData("In 2022, fixed-asset investment was 12,345,678 yuan.", 12345678d, "CNY")]
    [InlineData("In 2022, fiscal revenue was 5,320 10,000 yuan.", 5.32e7, "CNY")]
    [InlineData("In 2022, fiscal revenue was 35.6 100 million yuan.", 3.56e9, "CNY")]
    [InlineData("In 2022, fiscal revenue was 12.5亿元.", 1.25e9, "CNY")]
    [InlineData("In 2022, the per capita disposable income of residents was 78,000 yuan.", 78000d, "CNY")]
    [InlineData("In 2021, actual use of foreign capital reached US$1.2 billion.", 1.2e9, "USD")]
    [InlineData("In 2021, foreign direct investment reached $876 million.", 876e6, "USD")]
    [InlineData("In 2021, exports reached 500 million U.S. dollars.", 500e6, "USD")]
    [InlineData("In 2021, cargo throughput reached 12 million tonnes.", 12e6, "t")]
    [InlineData("In 2021, the output value of the biomedicine industry was 400 billion-yuan.", 400e9, "CNY")]
    public void Reads_numbers_scales_and_currencies(string sentence, double value, string unit)
    {
        var fact = Assert.Single(Extract(sentence));
        Assert.Equal(value, fact.Value, 6);
        Assert.Equal(unit, fact.Unit);
    }

    [Theory]
    [InlineData("In 2022, GDP increased by 8.5 percent.", 8.5)]
    [InlineData("In 2022, GDP saw a year-on-year increase of 12%.", 12)]
    [InlineData("In 2022, retail sales were up 25% year on year.", 25)]
    [InlineData("In 2022, retail sales grew 6.2 per cent.", 6.2)]
    [InlineData("In 2022, exports decreased by 3.1%.", -3.1)]
    [InlineData("In 2022, foreign trade fell 2 percent year-on-year.", -2)]
    [InlineData("In 2022, the district achieved a year-on-year growth of 14% in total foreign trade.", 14)]
    public void Reported_growth_is_yoy_of_its_indicator(string sentence, double value)
    {
        var fact = Assert.Single(Extract(sentence));
        Assert.Equal(FactKinds.YoyGrowthPct, fact.Kind);
        Assert.Equal(value, fact.Value, 6);
        Assert.Equal("percent", fact.Unit);
        Assert.EndsWith("-growth-reported", fact.Indicator);
    }

    [Theory]
    [InlineData("In 2021, R&D expenditure accounted for 4.2% of GDP.", "rd-intensity", 4.2)]
    [InlineData("In 2022, the added value of the digital economy accounted for 35.2 percent of the district's GDP.", "digital-economy-added-value-share", 35.2)]
    [InlineData("In 2022, retail sales made up about 30 percent of the city total.", "retail-sales-share", 30)]
    public void Shares_are_share_pct(string sentence, string indicator, double value)
    {
        var fact = Assert.Single(Extract(sentence));
        Assert.Equal((FactKinds.SharePct, indicator, value), (fact.Kind, fact.Indicator, fact.Value));
    }

    [Fact]
    public void Percentage_points_are_not_a_growth_rate()
    {
        var facts = Extract("In 2022, the digital economy's added value accounted for 35.2 percent of GDP, up 1.5 percentage points.");
        Assert.DoesNotContain(facts, f => f.Value == 1.5);
    }

    [Theory]
    [InlineData("In the first three quarters, retail sales reached 5 billion yuan.", "2022-10-20", "2022-YTD09")]
    [InlineData("In the first half, retail sales reached 5 billion yuan.", "2022-08-01", "2022-H1")]
    [InlineData("In the first half of 2021, retail sales reached 5 billion yuan.", "2022-08-01", "2021-H1")]
    [InlineData("From January to March, retail sales reached 5 billion yuan.", "2022-04-20", "2022-Q1")]
    [InlineData("In the first quarter, retail sales reached 5 billion yuan.", "2022-04-20", "2022-Q1")]
    [InlineData("In January-October 2022, retail sales reached 5 billion yuan.", "2022-11-20", "2022-YTD10")]
    [InlineData("In the first eight months, retail sales reached 5 billion yuan.", "2022-09-20", "2022-YTD08")]
    [InlineData("Last year, retail sales reached 5 billion yuan.", "2022-01-20", "2021")]
    [InlineData("Retail sales reached 5 billion yuan in 2019.", "2022-01-20", "2019")]
    [InlineData("As of July, retail sales reached 5 billion yuan.", "2022-10-19", "2022-07")]
    [InlineData("In the first quarter, retail sales reached 5 billion yuan.", "2022-02-10", "2021-Q1")]
    public void Periods_come_from_the_text_and_the_publication_date(string sentence, string published, string period)
    {
        var fact = Assert.Single(Extract(sentence, published));
        Assert.Equal(period, fact.Period);
    }

    [Theory]
    [InlineData("The area's GDP aims to exceed 500 billion yuan by 2025.", "2021-01-17", "2025")]
    [InlineData("This year, the district will add 300 public charging piles.", "2022-05-01", "2022")]
    [InlineData("By the end of 2025, the output value of the digital economy industry will reach 100 billion yuan.", "2021-01-17", "2025")]
    public void Future_figures_are_targets(string sentence, string published, string period)
    {
        var fact = Assert.Single(Extract(sentence, published));
        Assert.Equal((FactKinds.Target, period), (fact.Kind, fact.Period));
    }

    [Fact]
    public void A_currency_conversion_in_parentheses_is_the_same_figure()
    {
        var facts = Extract("In the first three quarters, 111 new projects were introduced, with an actual value of 5.76 billion yuan ($876 million).", "2022-10-20");
        Assert.Equal([(111d, "count"), (5.76e9, "CNY")], facts.Select(f => (f.Value, f.Unit)));
        Assert.All(facts, f => Assert.Equal("2022-YTD09", f.Period));
    }

    [Theory]
    [InlineData("Retail sales reached 5 billion yuan.")]                                        // no period anywhere
    [InlineData("Over the past five years, the district attracted 300 projects.")]              // a span of years
    [InlineData("From 2016 to 2020, GDP grew 7 percent a year.")]
    [InlineData("On January 15, 2022, the district held a press conference.")]                  // a date
    [InlineData("In 2022, the district ranked No. 3 among 16 districts.")]                      // a rank, a count of nothing we know
    [InlineData("In 2022, call 028-12345678 for details.")]                                     // a phone number
    [InlineData("In 2022, the C8 project and 5G base stations were finished.")]                 // codes
    [InlineData("In 2022, it was the 19th time the fair was held.")]                            // an ordinal
    [InlineData("In 2022, the district had tens of thousands of people.")]                      // no number
    [InlineData("This year, the district has attracted 30 projects.")]                          // a year not over, no plan
    public void Skips_what_is_not_a_fact(string sentence)
    {
        Assert.Empty(Extract(sentence));
    }

    [Fact]
    public void The_period_carries_to_later_sentences_and_to_reported_figures_of_later_paragraphs()
    {
        var facts = Extract("In 2022, GDP grew 5 percent. Retail sales rose 3 percent.\nExports rose 4 percent.\nThe district is home to 300 enterprises.");
        Assert.Equal([("gdp-growth-reported", "2022"), ("retail-sales-growth-reported", "2022"), ("exports-growth-reported", "2022")], facts.Select(f => (f.Indicator, f.Period)));
        Assert.True(facts[0].Confidence > facts[1].Confidence && facts[1].Confidence > facts[2].Confidence);
    }

    [Fact]
    public void A_target_year_does_not_carry_to_later_paragraphs()
    {
        var fact = Assert.Single(Extract("By 2025, GDP will exceed 500 billion yuan.\nExports rose 4 percent."));
        Assert.Equal((FactKinds.Target, "2025"), (fact.Kind, fact.Period));
    }

    [Theory]
    [InlineData("In 2022, exports totalled 180.6 billion yuan, up 4.1 percent, while imports fell 0.5 percent to 124.6 billion yuan.",
        "exports:180600000000 exports-growth-reported:4.1 imports-growth-reported:-0.5 imports:124600000000")]
    [InlineData("In 2022, the added value of the software and information services sector reached 254.1 billion yuan, an increase of 12.3 percent.",
        "software-and-information-services-added-value:254100000000 software-and-information-services-added-value-growth-reported:12.3")]
    [InlineData("In 2022, the industrial output value of enterprises above designated size grew 5.5 percent.", "industrial-output-growth-reported:5.5")]
    [InlineData("In 2022, GDP exceeded 1 trillion yuan for the first time, reaching 1.06 trillion yuan.", "gdp:1060000000000")]
    [InlineData("In 2022, the district added 23,000 new market entities, bringing the total to 210,000.", "new-market-entities:23000 market-entities:210000")]
    [InlineData("In 2023, the port handled 19.2 million TEUs of containers and 380 million tonnes of cargo.", "containers-teu:19200000 cargo-tonnage:380000000")]
    public void Each_figure_takes_the_indicator_it_belongs_to(string sentence, string expected)
    {
        Assert.Equal(expected, string.Join(' ', Extract(sentence).Select(f => $"{f.Indicator}:{f.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}")));
    }

    [Fact]
    public void Figures_of_a_dated_event_take_no_period_from_earlier_sentences()
    {
        var facts = Extract("In 2022, GDP grew 5 percent. On Monday, 50 projects with investment of 30 billion yuan were signed.\nAt the forum, deals worth 8 billion yuan were signed.");
        Assert.Equal(["gdp-growth-reported"], facts.Select(f => f.Indicator));
    }

    [Theory]
    [InlineData("Exports rose 10% over 2021 to 12.3 billion yuan in 2022.")]
    [InlineData("Exports rose 10% compared with 2021, reaching 12.3 billion yuan in 2022.")]
    public void Comparison_years_are_not_spans_or_periods(string sentence)
    {
        Assert.Equal(["2022", "2022"], Extract(sentence).Select(f => f.Period));
    }

    [Fact]
    public void Lines_of_figures_under_a_heading_take_its_period()
    {
        var facts = Extract("Main economic indicators in 2021:\nGDP: 455.8 billion yuan, up 7.2%.\nFixed-asset investment: down 3.1%.\nThe district is home to 300 enterprises.");
        Assert.Equal(["gdp:2021", "gdp-growth-reported:2021", "fixed-asset-investment-growth-reported:2021"], facts.Select(f => $"{f.Indicator}:{f.Period}"));
    }

    [Theory]
    [InlineData("The per capita disposable income of residents reached 71,845 yuan, 1.8 times that of 2012.")]   // a comparison base
    [InlineData("BEIJING, Jan. 17, 2021 -- The district's GDP reached 120 billion yuan.")]                     // the year of a dateline
    public void Years_that_are_not_the_figures_period_are_not_used(string sentence)
    {
        Assert.Empty(Extract(sentence));
    }

    [Theory]
    [InlineData("Foreign trade reached 560 billion yuan in the January-September period.", "2023-10-25", "foreign-trade:2023-YTD09")]
    [InlineData("In 2022, the district used 2.1 billion U.S. dollars of foreign capital.", "2023-03-01", "foreign-capital:2022")]
    [InlineData("As of the end of September, high-tech enterprises grew 12 percent from the end of last year.", "2023-10-25", "high-tech-enterprises-growth-reported:2023-09")]
    [InlineData("The area expects its GDP to grow by around 5 percent for the whole year.", "2023-10-25", "gdp-growth-reported:2023:target")]
    public void Periods_indicators_and_kinds_of_common_news_phrasings(string sentence, string published, string expected)
    {
        var fact = Assert.Single(Extract(sentence, published));
        Assert.Equal(expected, $"{fact.Indicator}:{fact.Period}" + (fact.Kind == FactKinds.Target ? ":target" : ""));
    }

    [Fact]
    public void A_founding_year_is_not_a_period_for_the_sentences_after_it()
    {
        Assert.Empty(Extract("The zone was established in 1994. It has a population of 2.06 million."));
    }

    [Fact]
    public void Comparison_bases_are_not_the_figures_period()
    {
        var fact = Assert.Single(Extract("In 2022, retail sales rose 5% over the same period last year."));
        Assert.Equal("2022", fact.Period);
    }

    [Fact]
    public void A_span_points_at_the_figure_in_the_input()
    {
        const string text = "Intro line.\n\nIn 2021, the district's GDP reached RMB 1.2 trillion, up 6 percent.";
        var facts = Extract(text);
        Assert.Equal(["RMB 1.2 trillion", "6 percent"], facts.Select(f => text[f.Start..f.End]));
        Assert.All(facts, f => Assert.Equal("In 2021, the district's GDP reached RMB 1.2 trillion, up 6 percent.", f.Sentence));
    }

    [Fact]
    public void Html_is_read_as_its_visible_text()
    {
        var result = FactExtractor.Extract(new ArticleInput(
            "<html><head><script>var x = 2021;</script></head><body><p>In 2021, <b>GDP</b> grew 8.1%.</p><p>The district is home to 58 enterprises.</p></body></html>", IsHtml: true));
        var fact = Assert.Single(result.Facts);
        Assert.Equal("8.1%", result.Text[fact.Start..fact.End]);
        Assert.Equal("In 2021, GDP grew 8.1%.", fact.Sentence);
    }

    [Theory]
    [InlineData("market entities", "market-entities")]
    [InlineData("high-tech enterprises", "high-tech-enterprises")]
    [InlineData("enterprises", "enterprises")]
    [InlineData("new regional headquarters", "new-regional-headquarters")]
    public void Counts_take_their_indicator_from_the_counted_noun(string noun, string indicator)
    {
        var fact = Assert.Single(Extract($"In 2022, the district had 1,234 {noun}."));
        Assert.Equal((indicator, 1234d, "count"), (fact.Indicator, fact.Value, fact.Unit));
    }

    [Fact]
    public void Districts_resolve_through_the_catalog_or_stay_as_written()
    {
        var catalog = new IndicatorFunctions.Catalog.CatalogSnapshot([], [new IndicatorFunctions.Domain.District("xuhui", "Xuhui District", "Shanghai", ["Xuhui"])], []);
        var facts = FactExtractor.Extract(new ArticleInput("In 2021, the GDP of Xuhui District increased by 8.1%. In 2021, the GDP of Minhang District increased by 5%."), catalog: catalog).Facts;
        Assert.Equal([("Xuhui District", "xuhui"), ("Minhang District", null)], facts.Select(f => (f.District, f.DistrictId)));
    }

    [Fact]
    public void Catalog_phrases_add_to_the_built_in_vocabulary()
    {
        var vocabulary = new IndicatorVocabulary([("ev-output", "CNY", ["new energy vehicle output"])]);
        var facts = FactExtractor.Extract(new ArticleInput("In 2022, new energy vehicle output reached 3 billion yuan and GDP reached 90 billion yuan."), vocabulary).Facts;
        Assert.Equal(["ev-output", "gdp"], facts.Select(f => f.Indicator));
    }

    [Theory]
    [InlineData("2022", 2022, null, null)]
    [InlineData("2022-10", 2022, 10, null)]
    [InlineData("2022-10-19", 2022, 10, 19)]
    public void Publication_dates_may_be_partial(string text, int year, int? month, int? day)
    {
        Assert.True(PublishedDate.TryParse(text, out var date));
        Assert.Equal(new PublishedDate(year, month, day), date);
    }

    [Theory]
    [InlineData("")]
    [InlineData("22")]
    [InlineData("2022-13")]
    [InlineData("2022-10-32")]
    [InlineData("yesterday")]
    public void Bad_publication_dates_are_refused(string text) => Assert.False(PublishedDate.TryParse(text, out _));
}
