using System.Text.RegularExpressions;

using IndicatorFunctions.Catalog;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Extraction;

/// <summary>What was read from one article: the plain text the spans refer to, the publication date used, the facts.</summary>
public sealed record ArticleFacts(string Text, PublishedDate? Published, IReadOnlyList<ExtractedFact> Facts);

/// <summary>
/// Reads district statistics from English news text: each figure with a unit (money, percent, tonnes, square
/// metres) or a counted noun, its indicator (from the vocabulary), kind (level, reported growth, share, target) and
/// period (from the sentence, the sentences before it in the paragraph, and the publication date). A figure whose
/// indicator or period cannot be told is skipped rather than guessed. Pure: no storage, no I/O.
/// </summary>
public static partial class FactExtractor
{
    [GeneratedRegex(@"(?:\baccount(?:s|ed|ing)?\s+for|\bma(?:de|kes?|king)\s+up|\bcontribut(?:e|es|ed|ing)(?:\s+to)?|\bshare\s+(?:of|in|at|to|reached|was|rose|stood at)|\bproportion\s+(?:of|to|in|was|reached|stood at)|\bratio\s+(?:of|to|was|reached)|\brepresent(?:s|ed|ing)?|\bconstitut(?:e|es|ed|ing)|\boccupy(?:ing)?|\boccupies|\boccupied)(?:\s+(?:about|around|approximately|nearly|almost|more than|over|less than|roughly|some|up to|at least|only|just))?\s*\z", RegexOptions.IgnoreCase)]
    private static partial Regex ShareBefore();

    [GeneratedRegex(@"\b(?:increas(?:e|ed|es|ing)|grew|grow(?:s|n|ing)?|growth(?:\s+rate)?|up|rose|ris(?:e|es|ing)|gain(?:s|ed)?|expand(?:ed|s|ing)?|expansion|jump(?:ed|s)?|surg(?:e|ed|es)|climb(?:ed|s)?|advanc(?:e|ed)|higher|boost(?:ed)?|soar(?:ed)?)(?:\s+(?:by|of|at|a|an|year[- ]on[- ]year|yoy|rate|respectively))*(?:\s+(?:about|around|approximately|nearly|almost|more than|over|roughly|some|up to|at least))?\s*\z", RegexOptions.IgnoreCase)]
    private static partial Regex GrowthBefore();

    [GeneratedRegex(@"\b(?:decreas(?:e|ed|es|ing)|declin(?:e|ed|es|ing)|dropp?(?:ed|s)?|fell|fall(?:s|ing)?|down|contract(?:ed|ion|s)?|shr(?:a|i)nk|shrunk|lower|slid|dipped|reduc(?:ed|tion))(?:\s+(?:by|of|at|a|an|year[- ]on[- ]year|yoy|respectively))*(?:\s+(?:about|around|approximately|nearly|almost|more than|over|roughly|some))?\s*\z", RegexOptions.IgnoreCase)]
    private static partial Regex DeclineBefore();

    [GeneratedRegex(@"\A\s*(?:(?:on a |on the )?year[- ](?:on|over)[- ]year|yoy\b|y-o-y|over the (?:same period|previous year|last year)|from (?:a year|the (?:same period|previous year))|compared (?:with|to) (?:the same period|last year|the previous year|a year)|(?:year[- ]on[- ]year\s+)?(?:growth|increase|rise|gain|jump|expansion)\b)", RegexOptions.IgnoreCase)]
    private static partial Regex GrowthAfter();

    [GeneratedRegex(@"\A\s*(?:year[- ]on[- ]year\s+)?(?:decline|decrease|drop|fall|contraction|reduction)\b", RegexOptions.IgnoreCase)]
    private static partial Regex DeclineAfter();

    [GeneratedRegex(@"\A\s*(?:(?:year[- ]on[- ]year|yoy)\s+)?(?:growth\s+)?(?:in|of|for)\s+(?:the\s+)?(?:(?:district|area|zone|region|city)'s\s+)?(?:[\p{L}-]+\s+){0,1}?\z", RegexOptions.IgnoreCase)]
    private static partial Regex PhraseLinkAfter();

    [GeneratedRegex(@"\A[^,;]{0,48}?\b(?:was|were|is|are|reached|reaching|totall?ed|totall?ing|stood at|standing at|hit|amounted to|exceeded|numbered|of|to|at)\s+(?:more than |over |about |nearly |around |approximately |some |almost |up to |a total of )?\z", RegexOptions.IgnoreCase)]
    private static partial Regex LinkToNumber();

    [GeneratedRegex(@"(?:^|\s)(?:the\s+|a\s+|an\s+|its\s+|their\s+)?(?<np>(?:[\p{L}&'-]+\s+){0,4}?[\p{L}&'-]+)\s+(?:reached|was|were|stood at|totall?ed|hit|amounted to|exceeded|topped|surpassed|worth|valued at|of)\s+(?:more than |over |about |nearly |around |approximately |some |almost |up to |a total of )?\z", RegexOptions.IgnoreCase)]
    private static partial Regex NounPhraseBefore();

    [GeneratedRegex(@"(?<measure>added[- ]value|value[- ]added|output value|operating (?:revenue|income)|revenue|output|sales|turnover|investment|scale) of (?:the )?(?<subject>[\p{L}&' ,-]{3,90}?)\s+(?:(?:sector|industry|industries|cluster|clusters)\s+)?(?:reached|was|were|hit|stood at|totall?ed|amounted to|exceeded|topped|surpassed)\s+(?:more than |over |about |nearly |around |approximately |some |almost |up to |a total of )?\z", RegexOptions.IgnoreCase)]
    private static partial Regex MeasureOfBefore();

    [GeneratedRegex(@"\A\s*of\s+(?:the\s+)?(?<x>(?:[\p{L}-]+\s+){0,2}?[\p{L}-]+)\b", RegexOptions.IgnoreCase)]
    private static partial Regex OfAfter();

    [GeneratedRegex(@"\A\s+(?:of|in|for)\s+(?:the\s+)?\z", RegexOptions.IgnoreCase)]
    private static partial Regex OfBetween();

    [GeneratedRegex(@"\A\s*(?:\(|,\s*or\b|\bor\b)\s*(?:about|around|approximately|approx\.|roughly|some|nearly|equivalent to|equal to|or)?\s*\z", RegexOptions.IgnoreCase)]
    private static partial Regex ConversionGap();

    [GeneratedRegex(@"\b(?:will|shall|aims?|aiming|aimed|plans?|planned|planning|targets?|targeted|goals?|expected|expects?|expecting|strives?(?: to)?|striving|is set to|are set to|seeks? to|projected|forecast|envisages?|scheduled|to be (?:started|completed|built|achieved|reached)|by the end of (?:this|next) year)\b", RegexOptions.IgnoreCase)]
    private static partial Regex FutureCue();

    /// <summary>Verbs that report a figure of a past period: such a sentence may take its period from an earlier paragraph.</summary>
    [GeneratedRegex(@"\b(?:reached|hit|was|were|totall?ed|came to|amounted|rose|grew|increased|decreased|fell|declined|dropped|stood at|amounted to|recorded|registered|posted|achieved|realized|realised|exceeded|climbed|jumped|surged|expanded|contracted|added|attracted|handled|generated)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ReportedCue();

    /// <summary>A sentence about an event on a day ("signed on Monday", "at the forum"): its figures are the event's, not a period's.</summary>
    [GeneratedRegex(@"\b(?:on (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|on (?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.? \d{1,2}\b|yesterday|today|tonight|recently|at the (?:event|ceremony|conference|forum|meeting|expo|exhibition|fair|summit|signing)|during the (?:event|ceremony|conference|forum|expo|exhibition|fair|summit))", RegexOptions.IgnoreCase)]
    private static partial Regex EventCue();

    /// <summary>A line that introduces figures: it ends with a colon or "as follows", or is a title (short, no stop).</summary>
    [GeneratedRegex(@"(?::|\bas follows\.?|\bbelow\.?)\s*\z|\A[^.!?;:]{3,120}\z", RegexOptions.IgnoreCase)]
    private static partial Regex Heading();

    /// <summary>"GDP: 455.8 billion yuan, up 7.2%": a label and its figures.</summary>
    [GeneratedRegex(@"\A[^:.;]{2,100}:\s*\S")]
    private static partial Regex Label();

    /// <summary>"…, bringing the total to 210,000": the running total of what was just counted.</summary>
    [GeneratedRegex(@"\b(?:bringing|brought|taking|took|raising|raised|lifting|pushing)\s+(?:the|its)\s+total(?:\s+number)?(?:\s+of\s+[\p{L} -]+?)?\s+to\s+(?:more than |over |about |nearly )?\z", RegexOptions.IgnoreCase)]
    private static partial Regex RunningTotal();

    [GeneratedRegex(@"\bfinal (?:data|figures?|verification|accounting|statistics)\b|\bfinally verified\b", RegexOptions.IgnoreCase)]
    private static partial Regex FinalCue();

    [GeneratedRegex(@"\A(?:the|a|an|its|their|this|that|these|our|total|new|district|area)\z", RegexOptions.IgnoreCase)]
    private static partial Regex Determiner();

    /// <summary>Extracts the facts of one article. <paramref name="catalog"/> resolves districts; <paramref name="vocabulary"/> defaults to the built-in one.</summary>
    public static ArticleFacts Extract(ArticleInput input, IndicatorVocabulary? vocabulary = null, CatalogSnapshot? catalog = null)
    {
        vocabulary ??= IndicatorVocabulary.Default;
        var text = input.IsHtml ? ArticleText.FromHtml(input.Text) : input.Text;
        var norm = ArticleText.Normalize(text);
        var published = input.Published ?? PeriodPhrases.DateInHeader(norm);
        var districts = new DistrictMentions(norm, catalog, input.District);
        var facts = new List<ExtractedFact>();
        // The period of the last figure read, or of a heading ("Main indicators in 2021:"): news often gives it once,
        // in the lead or a heading, for several paragraphs or lines of figures.
        PeriodMention? earlier = null;
        foreach (var (pStart, pEnd) in ArticleText.Paragraphs(norm))
        {
            PeriodMention? carried = null;
            foreach (var (start, end) in ArticleText.Sentences(norm, pStart, pEnd))
            {
                var sentence = new SentenceContext(text, norm, start, end, vocabulary, published, districts, carried, earlier);
                facts.AddRange(sentence.Facts());
                carried = sentence.NextCarried();
                earlier = sentence.LastFigurePeriod ?? sentence.HeadingPeriod ?? earlier;
            }
        }
        return new ArticleFacts(text, published, facts);
    }

    /// <summary>One sentence with its figures, period phrases and indicator phrases.</summary>
    private sealed class SentenceContext
    {
        private readonly string _text, _norm;
        private readonly int _start, _end;
        private readonly IndicatorVocabulary _vocabulary;
        private readonly PublishedDate? _published;
        private readonly DistrictMentions _districts;
        private readonly PeriodMention? _carried, _earlier;
        private readonly List<Quantity> _figures;
        private readonly List<PeriodMention> _periods;
        private readonly List<IndicatorMention> _indicators;
        private readonly bool _future;

        public SentenceContext(string text, string norm, int start, int end, IndicatorVocabulary vocabulary, PublishedDate? published, DistrictMentions districts, PeriodMention? carried, PeriodMention? earlier)
        {
            (_text, _norm, _start, _end, _vocabulary, _published, _districts, _carried, _earlier) = (text, norm, start, end, vocabulary, published, districts, carried, earlier);
            var quantities = Quantities.Find(norm, start, end);
            _figures = quantities.Where(q => !q.Year).ToList();
            _periods = PeriodPhrases.Find(norm, start, end, quantities.Where(q => q.Year), published, carried?.Period?.Year);
            _indicators = vocabulary.Find(norm, start, end);
            var sentence = norm.AsSpan(start, end - start).ToString();
            _future = FutureCue().IsMatch(sentence);
            _reported = ReportedCue().IsMatch(sentence);
            _event = EventCue().IsMatch(sentence);
            _label = Label().IsMatch(sentence);
            if (_figures.Count == 0 && (Heading().IsMatch(sentence) || _label))
                HeadingPeriod = _periods.LastOrDefault(p => p.Period is not null && !p.Future && !p.Current);
        }

        private readonly bool _label;

        /// <summary>The period of a heading or an introduction to a list of figures, which has no figures itself.</summary>
        public PeriodMention? HeadingPeriod { get; }

        private readonly bool _event;

        private readonly bool _reported;

        /// <summary>The period of this sentence's last figure of a past period (a level or a growth), for later paragraphs.</summary>
        public PeriodMention? LastFigurePeriod { get; private set; }

        /// <summary>The period later sentences of the paragraph inherit: this sentence's last, else the one it inherited.</summary>
        public PeriodMention? NextCarried()
        {
            if (_periods.Count == 0)
                return _carried;
            return _periods.LastOrDefault(p => p.Period is not null);
        }

        public IEnumerable<ExtractedFact> Facts()
        {
            var facts = new List<ExtractedFact>();
            Quantity? previous = null;
            foreach (var q in _figures)
            {
                var conversion = previous is { Unit: { } pu } && q.Unit is { } qu && FactUnits.IsMoney(pu) && FactUnits.IsMoney(qu)
                                 && q.Start - previous.End <= 40 && ConversionGap().IsMatch(_norm[previous.End..q.Start]);
                if (!conversion && Fact(q, facts) is { } fact)
                    facts.Add(fact);
                previous = q;
            }
            // "exceeded 1 trillion yuan for the first time, reaching 1.06 trillion yuan": the threshold is not a second figure.
            facts.RemoveAll(f => f.Approximate && facts.Any(e => !e.Approximate && e.Indicator == f.Indicator && e.Period == f.Period && e.Unit == f.Unit && e.Kind == f.Kind));
            return facts;
        }

        private ExtractedFact? Fact(Quantity q, List<ExtractedFact> before)
        {
            if (q.Unit == FactUnits.PercentagePoints)
                return null; // a change in a share: neither a growth rate nor a level of the indicator
            var confidence = 0.9;
            string? kind, indicator, unit = q.Unit;
            var value = q.Value;
            if (q.Unit == FactUnits.Percent)
            {
                (kind, indicator, var sign) = Percentage(q, before.LastOrDefault(f => f.Kind is FactKinds.Level or FactKinds.Target && f.Unit != FactUnits.Percent));
                value *= sign;
                if (kind == FactKinds.Level)
                    confidence -= 0.1;
            }
            else if (q.Unit is not null)
            {
                kind = FactKinds.Level;
                indicator = LevelIndicator(q, ref confidence);
            }
            else if (q.Counted is { } counted)
            {
                kind = FactKinds.Level;
                unit = FactUnits.Count;
                indicator = _vocabulary.Exactly(counted.Phrase)?.Id ?? IndicatorVocabulary.SlugOf(counted.Phrase);
            }
            else
            {
                kind = FactKinds.Level;
                (indicator, unit) = LinkedCount(q);
                if (indicator is null && RunningTotal().IsMatch(Before(q, 60)) && before.LastOrDefault(f => f.Unit == FactUnits.Count) is { } added)
                    (indicator, unit) = (added.Indicator.StartsWith("new-") ? added.Indicator[4..] : added.Indicator, FactUnits.Count);
            }
            if (kind is null || indicator is null || unit is null)
                return null;

            var (period, inherited) = PeriodOf(q);
            // Counts in later paragraphs are more often description ("home to 58 enterprises") than statistics: not carried.
            if (period is null && _earlier is not null && !_event && unit != FactUnits.Count && (_reported || _label || kind == FactKinds.YoyGrowthPct) && !_future)
                (period, inherited, confidence) = (_earlier, true, confidence - 0.1);
            if (period?.Period is not { } p)
                return null;
            if (inherited)
                confidence -= 0.15;
            var target = (_future || period.Future) && (_published is not { } pub || p.Year >= pub.Year);
            if (period.Current && !target)
                return null; // "this year" dates a plan; a figure for a year not yet over has no period of ours
            if (target)
                kind = FactKinds.Target;
            else if (!period.Current)
                LastFigurePeriod = period;
            if (q.Approximate)
                confidence -= 0.1;

            var district = _districts.For(_start, q.Start);
            return new ExtractedFact
            {
                District = district?.Written,
                DistrictId = district?.Id,
                Indicator = indicator,
                Kind = kind,
                Period = p.ToString(),
                Value = value,
                Unit = unit,
                Sentence = _text[_start.._end],
                Start = q.Start,
                End = q.End,
                Confidence = Math.Round(Math.Max(0.1, confidence), 2),
                Approximate = q.Approximate,
                Final = FinalCue().IsMatch(_norm.AsSpan(_start, _end - _start).ToString()),
            };
        }

        private string Before(Quantity q, int chars = 80) => _norm[Math.Max(_start, q.Start - chars)..q.Start];

        private string After(Quantity q, int chars = 80) => _norm[q.End..Math.Min(_end, q.End + chars)];

        /// <summary>A percentage is a share ("accounting for 35%", "15% of"), a reported growth ("up 25%", "12% year on year"), or a rate the vocabulary knows.</summary>
        private (string? Kind, string? Indicator, double Sign) Percentage(Quantity q, ExtractedFact? level)
        {
            var before = Before(q, 60);
            var after = After(q, 60);
            if (ShareBefore().IsMatch(before) || (!GrowthBefore().IsMatch(before) && !DeclineBefore().IsMatch(before) && Regex.IsMatch(after, @"\A\s*of\b", RegexOptions.IgnoreCase)))
                return (FactKinds.SharePct, ShareIndicator(q), 1);
            var decline = DeclineBefore().IsMatch(before) || DeclineAfter().IsMatch(after);
            if (decline || GrowthBefore().IsMatch(before) || GrowthAfter().IsMatch(after))
            {
                var subject = LinkedAfter(q) ?? NearestBefore(q, e => e.Measure != MeasureClass.Percent);
                // "reached 254.1 billion yuan, an increase of 12.3 percent": the growth of the level just read.
                // A phrase named after the level figure is the growth's own subject ("…, while imports fell 0.5 percent").
                var id = subject is not null && (level is null || subject.Start >= level.End || level.Indicator == subject.Entry.Id)
                    ? subject.Entry.Id
                    : level?.Indicator ?? NearestAfter(q, e => e.Measure != MeasureClass.Percent)?.Entry.Id;
                return (FactKinds.YoyGrowthPct, id is null ? null : Derived(id, "-growth-reported"), decline ? -1 : 1);
            }
            var rate = NearestBefore(q, e => e.Measure == MeasureClass.Percent) ?? NearestAfter(q, e => e.Measure == MeasureClass.Percent);
            return (rate is null ? null : FactKinds.Level, rate?.Entry.Id, 1);
        }

        private string? ShareIndicator(Quantity q)
        {
            var subject = NearestBefore(q, e => e.Measure != MeasureClass.Percent);
            var whole = LinkedAfter(q);
            if (subject is null)
                return null;
            if (subject.Entry.Id == "rd-spending" && whole?.Entry.Id == "gdp")
                return "rd-intensity";
            return Derived(subject.Entry.Id, "-share");
        }

        /// <summary>A money or physical figure: the nearest indicator phrase that measures it, else a slug of the noun phrase before it.</summary>
        private string? LevelIndicator(Quantity q, ref double confidence)
        {
            var money = FactUnits.IsMoney(q.Unit!);
            bool Fits(VocabularyEntry e) => e.Measure == MeasureClass.Any || money && e.Measure == MeasureClass.Money;
            // "2.1 billion U.S. dollars of foreign capital": the phrase the figure is of, else the nearest before it.
            var mention = LinkedAfter(q) is { } linked && Fits(linked.Entry) ? linked : NearestBefore(q, Fits) ?? NearestAfter(q, Fits, 60);
            if (mention is not null)
                return mention.Entry.Id;
            if (MeasureOfBefore().Match(Before(q, 160)) is { Success: true } measure)
            {
                // "the added value of the software and information services sector reached …"
                confidence -= 0.15;
                return IndicatorVocabulary.SlugOf($"{Regex.Replace(measure.Groups["subject"].Value, @"\s+(?:sector|industry|industries)$", "")} {measure.Groups["measure"].Value}");
            }
            if (NearestBefore(q, e => e.Measure == MeasureClass.Count) is { } counted)
                return Derived(counted.Entry.Id, $"-{(money ? "value" : UnitWord(q.Unit!))}");
            if (!money && OfAfter().Match(After(q, 40)) is { Success: true } of)
            {
                // "19.2 million TEUs of containers", "380 million tonnes of cargo"
                confidence -= 0.15;
                return IndicatorVocabulary.SlugOf($"{of.Groups["x"].Value} {UnitWord(q.Unit!)}");
            }
            var np = NounPhraseBefore().Match(Before(q, 80));
            if (!np.Success)
                return null;
            var words = np.Groups["np"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(w => Determiner().IsMatch(w) || w.EndsWith("'s")).ToList();
            confidence -= 0.2;
            return words.Count == 0 ? null : IndicatorVocabulary.SlugOf(string.Join(' ', words));
        }

        /// <summary>An indicator id derived from another (its growth, its share), kept within the 63 characters of a slug.</summary>
        private static string Derived(string id, string suffix) =>
            (id.Length + suffix.Length <= 63 ? id : id[..(63 - suffix.Length)].TrimEnd('-')) + suffix;

        private static string UnitWord(string unit) => unit switch
        {
            FactUnits.SquareMetres or FactUnits.SquareKilometres or FactUnits.Hectares => "area",
            FactUnits.Tonnes => "tonnage",
            FactUnits.Teu => "teu",
            _ => IndicatorVocabulary.SlugOf(unit) ?? "amount",
        };

        /// <summary>"the number of invention patents per 10,000 people was 131": a bare number tied to a count phrase before it.</summary>
        private (string? Indicator, string? Unit) LinkedCount(Quantity q)
        {
            var mention = NearestBefore(q, e => e.Measure is MeasureClass.Count or MeasureClass.PerTenThousand);
            if (mention is null || !LinkToNumber().IsMatch(_norm[mention.End..q.Start]))
                return (null, null);
            return (mention.Entry.Id, mention.Entry.Measure == MeasureClass.PerTenThousand ? FactUnits.PerTenThousandResidents : FactUnits.Count);
        }

        /// <summary>"14% in total foreign trade", "35% of GDP": the phrase right after the figure.</summary>
        private IndicatorMention? LinkedAfter(Quantity q) =>
            _indicators.FirstOrDefault(m => m.Start >= q.End && m.Start - q.End <= 60 && PhraseLinkAfter().IsMatch(_norm[q.End..m.Start]));

        /// <summary>The nearest phrase before the figure that fits; of "A of B" ("output value of enterprises"), A.</summary>
        private IndicatorMention? NearestBefore(Quantity q, Func<VocabularyEntry, bool> fits, int within = 200)
        {
            var index = _indicators.FindLastIndex(m => m.End <= q.Start && q.Start - m.End <= within && fits(m.Entry));
            while (index > 0 && _indicators[index].Start - _indicators[index - 1].End <= 12
                   && OfBetween().IsMatch(_norm[_indicators[index - 1].End.._indicators[index].Start]) && fits(_indicators[index - 1].Entry))
                index--;
            return index < 0 ? null : _indicators[index];
        }

        private IndicatorMention? NearestAfter(Quantity q, Func<VocabularyEntry, bool> fits, int within = 120) =>
            _indicators.FirstOrDefault(m => m.Start >= q.End && m.Start - q.End <= within && fits(m.Entry));

        /// <summary>The period phrase in the figure's clause, else the nearest before it in the sentence, else after it, else the paragraph's.</summary>
        private (PeriodMention? Period, bool Inherited) PeriodOf(Quantity q)
        {
            var clauseStart = _norm.LastIndexOf(',', Math.Max(_start, q.Start - 1), q.Start - _start) + 1;
            if (clauseStart <= 0)
                clauseStart = _start;
            var clauseEnd = _norm.IndexOf(',', q.End, _end - q.End);
            if (clauseEnd < 0)
                clauseEnd = _end;
            var inClause = _periods.Where(p => p.Start >= clauseStart && p.End <= clauseEnd)
                .OrderBy(p => p.End <= q.Start ? q.Start - p.End : p.Start - q.End).FirstOrDefault();
            var chosen = inClause ?? _periods.LastOrDefault(p => p.End <= q.Start) ?? _periods.FirstOrDefault(p => p.Start >= q.End);
            return chosen is not null ? (chosen, false) : (_event ? null : _carried, true);
        }
    }

    /// <summary>District names in an article: catalog names and aliases, and place names with a district-like suffix.</summary>
    private sealed partial class DistrictMentions
    {
        [GeneratedRegex(@"\b(?!(?:The|This|That|Each|Every|Our|Its|Whole|Urban|Central|Core|Key|Which|Said|Same)\b)(?:[A-Z][a-z']+(?:[ -][A-Z][a-z']+)?)\s+(?:District|district|New Area|new area|County|county|Development Zone|High-tech Zone|Hi-tech Zone|Economic Development Zone|Free Trade Zone|Economic and Technological Development Zone|Industrial Park)\b")]
        private static partial Regex Generic();

        private readonly List<(int Start, string Written, string? Id)> _mentions = [];
        private readonly (string Written, string? Id)? _main;

        public DistrictMentions(string text, CatalogSnapshot? catalog, string? hint)
        {
            if (catalog is not null)
            {
                var names = catalog.Districts.Values.SelectMany(d => d.Aliases.Append(d.Name)).Where(n => n.Length >= 3).OrderByDescending(n => n.Length);
                var pattern = string.Join("|", names.Select(n => Regex.Escape(n)));
                if (pattern.Length > 0)
                {
                    foreach (Match m in Regex.Matches(text, $@"(?<![\p{{L}}])(?:{pattern})(?:\s+(?:District|New Area|County))?(?![\p{{L}}])", RegexOptions.IgnoreCase))
                        _mentions.Add((m.Index, m.Value, Resolve(catalog, m.Value)));
                }
            }
            foreach (Match m in Generic().Matches(text))
            {
                if (!_mentions.Any(x => x.Start <= m.Index + m.Length && m.Index <= x.Start + x.Written.Length))
                    _mentions.Add((m.Index, m.Value, catalog is null ? null : Resolve(catalog, m.Value)));
            }
            _mentions.Sort((a, b) => a.Start.CompareTo(b.Start));
            if (hint is not null)
            {
                var district = catalog?.FindDistrict(hint);
                _main = (district?.Name ?? hint, district?.Id);
            }
            else if (_mentions.Count > 0)
            {
                var top = _mentions.GroupBy(m => m.Id ?? m.Written.ToLowerInvariant()).OrderByDescending(g => g.Count()).ThenBy(g => g.First().Start).First();
                _main = (top.OrderByDescending(m => m.Written.Length).First().Written, top.First().Id);
            }
        }

        private static string? Resolve(CatalogSnapshot catalog, string written)
        {
            var name = Regex.Replace(written.Trim(), @"\s+", " ");
            return catalog.FindDistrict(name)?.Id
                   ?? catalog.FindDistrict(Regex.Replace(name, @"\s+(?:District|New Area|County)$", "", RegexOptions.IgnoreCase))?.Id;
        }

        /// <summary>The district named last in the sentence before the figure, else the article's.</summary>
        public (string Written, string? Id)? For(int sentenceStart, int position)
        {
            var inSentence = _mentions.LastOrDefault(m => m.Start >= sentenceStart && m.Start < position);
            return inSentence.Written is not null ? (inSentence.Written, inSentence.Id) : _main;
        }
    }
}
