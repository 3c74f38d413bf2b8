using System.Globalization;
using System.Text.RegularExpressions;

using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Extraction;

/// <summary>
/// A period phrase found in a sentence. <see cref="Period"/> is null when the phrase names no single period of the
/// product's grammar (a span of years, "the past five years", a relative phrase without a publication date): figures
/// it governs are skipped. <see cref="Future"/>: a deadline ("by 2025", "next year"). <see cref="Current"/>: "this
/// year", which dates a plan but not a figure already reached (a year not yet over).
/// </summary>
public sealed record PeriodMention(int Start, int End, Period? Period, bool Future = false, bool Current = false);

/// <summary>
/// Period phrases in English district news, resolved against the publication date: years; "last year", "this
/// year", "next year"; "the first three quarters" (YTD09), "the first half" (H1), "the first quarter" / "January to
/// March" (Q1), "January-October" (YTD10), "the first eight months"; months ("as of July", "in September 2022").
/// Comparison bases ("over the same period last year", "compared with 2020") are not periods of the figure.
/// </summary>
public static partial class PeriodPhrases
{
    private const string Month = @"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?";
    private const string YearSuffix = @"(?:,?\s+(?:of\s+|in\s+)?(?:(?<y>(?:19|20)\d\d)\b|(?<rel>this year|last year|the previous year|the current year|next year|the year)))?";
    private const string Number = "(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|1[0-2]|[1-9])";

    [GeneratedRegex(@"(?:(?:from|between)\s+)?\b(?:19|20)\d\d\s*(?:-|to|through|until|and)\s*(?:19|20)\d\d\b|\b(?:19|20)\d\d-[2-9]\d\b|\bsince\s+(?:the\s+(?:beginning|start)\s+of\s+)?(?:(?:19|20)\d\d|last year)\b|\b(?:in|over|during|for|within)?\s*the\s+(?:past|last|previous|next|coming|recent)\s+(?:\w+\s+)?(?:years|decades?)\b|\b\d{1,2}(?:th|st|nd|rd)\s+five-year plan(?:\s+period)?|\bso far\b|\bin recent years\b|\bover the years\b", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex Spans();

    [GeneratedRegex(@"(?:the\s+)?same period (?:of |in )?(?:the previous year|last year|the last year|a year (?:ago|earlier)|(?:19|20)\d\d)|\b(?:compared (?:with|to)|than(?: in| that of| those of)?|over|from|versus|vs\.?|against|relative to|up from|down from)\s+(?:that (?:of|in)\s+)?(?:the\s+)?(?:(?:same )?(?:period|time) (?:of |in )?)?(?:last year|the previous year|the year before|a year (?:ago|earlier)|(?:19|20)\d\d)\b|\ba year (?:ago|earlier)\b|\bprevious year's\b|\b(?:that|those|the level|the figure) (?:of|in) (?:19|20)\d\d\b|\b(?:from|since|compared with|compared to|over|than) (?:at )?the (?:end|beginning|start) of (?:last year|the previous year|(?:19|20)\d\d)\b|\b(?:established|founded|set up|launched|built|opened|inaugurated|created|approved|started|born) (?:in|since) (?:19|20)\d\d\b", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex Comparisons();

    [GeneratedRegex(@"(?:the\s+)?(?:first\s+(?<qs>three|two|3|2)\s+quarters|(?<q>first|second|third|fourth|final|last|1st|2nd|3rd|4th)\s+quarter|\bQ(?<qn>[1-4])\b|(?<h>first|second)\s+half(?:\s+of\s+the\s+year)?|\bH(?<hn>[12])\b|first\s+(?<mn>" + Number + @")\s+months|(?:(?:from|in|during|for)\s+)?(?:the\s+)?(?<m1>" + Month + @")\s*(?:to|-|through|till|until)\s*(?<m2>" + Month + @")|(?<mp>in|as of|as at|by the end of|at the end of|by end of|the end of|end of|by|during|for|until|through|last|this)\s+(?:the\s+)?(?:end\s+of\s+)?(?<mo>" + Month + @"))" + YearSuffix, RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex SubYear();

    [GeneratedRegex(@"\b(?:(?<last>(?:the\s+)?(?:last|past|previous)\s+year)|(?<this>(?:this|the current|the whole|the full|the entire)\s+year|full-year)|(?<next>next\s+year))\b", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex RelativeYear();

    [GeneratedRegex(@"\b(?:by|before|until)\s+(?:the\s+end\s+of\s+)?\z", RegexOptions.IgnoreCase)]
    private static partial Regex ByBefore();

    /// <summary>Period phrases of one sentence, in order. <paramref name="years"/>: the year numbers found in it.</summary>
    public static List<PeriodMention> Find(string text, int start, int end, IEnumerable<Quantity> years, PublishedDate? published, int? contextYear)
    {
        var taken = new List<(int Start, int End)>();
        var mentions = new List<PeriodMention>();
        foreach (var m in All(Spans(), text, start, end))
        {
            taken.Add((m.Index, m.Index + m.Length));
            mentions.Add(new PeriodMention(m.Index, m.Index + m.Length, null));
        }
        foreach (var m in All(Comparisons(), text, start, end))
        {
            if (!Overlaps(taken, m.Index, m.Index + m.Length))
                taken.Add((m.Index, m.Index + m.Length));
        }

        var explicitYear = years.Where(y => !Overlaps(taken, y.Start, y.End)).Select(y => (int?)(int)y.Value).FirstOrDefault() ?? contextYear;
        foreach (var m in All(SubYear(), text, start, end))
        {
            if (Overlaps(taken, m.Index, m.Index + m.Length) || IsDate(text, m))
                continue;
            taken.Add((m.Index, m.Index + m.Length));
            mentions.Add(new PeriodMention(m.Index, m.Index + m.Length, ResolveSubYear(m, published, explicitYear)));
        }
        foreach (var m in All(RelativeYear(), text, start, end))
        {
            if (Overlaps(taken, m.Index, m.Index + m.Length))
                continue;
            taken.Add((m.Index, m.Index + m.Length));
            var offset = m.Groups["last"].Success ? -1 : m.Groups["next"].Success ? 1 : 0;
            Period? period = published is { } p ? new Period(p.Year + offset, PeriodKind.Year, 0) : null;
            mentions.Add(new PeriodMention(m.Index, m.Index + m.Length, period, Future: offset > 0, Current: offset == 0));
        }
        foreach (var year in years)
        {
            if (Overlaps(taken, year.Start, year.End))
                continue;
            var by = ByBefore().IsMatch(text.AsSpan(Math.Max(0, year.Start - 24), Math.Min(24, year.Start)).ToString());
            var y = (int)year.Value;
            var future = by && (published is not { } p || y > p.Year) || published is { } q && y > q.Year;
            mentions.Add(new PeriodMention(year.Start, year.End, new Period(y, PeriodKind.Year, 0), Future: future));
        }
        mentions.Sort((a, b) => a.Start.CompareTo(b.Start));
        return mentions;
    }

    /// <summary>Matches within text[start, end), without copying the text.</summary>
    private static IEnumerable<Match> All(Regex regex, string text, int start, int end)
    {
        for (var m = regex.Match(text, start, end - start); m.Success; m = m.NextMatch())
            yield return m;
    }

    [GeneratedRegex(@"\G\s*\d{1,2}\b")]
    private static partial Regex DayAfter();

    /// <summary>"January 15", "Oct. 19": a day, not a month's figures.</summary>
    private static bool IsDate(string text, Match m) =>
        (m.Groups["mo"].Success || m.Groups["m2"].Success) && !m.Groups["y"].Success && !m.Groups["rel"].Success
        && DayAfter().IsMatch(text, m.Index + m.Length);

    private static bool Overlaps(List<(int Start, int End)> taken, int start, int end) =>
        taken.Any(t => start < t.End && t.Start < end);

    private static Period? ResolveSubYear(Match m, PublishedDate? published, int? contextYear)
    {
        var (kind, index, lastMonth) = SubPeriod(m);
        if (kind is null)
            return null;
        int? year = null;
        if (m.Groups["y"].Success)
            year = int.Parse(m.Groups["y"].Value, CultureInfo.InvariantCulture);
        else if (m.Groups["rel"].Success)
        {
            var rel = m.Groups["rel"].Value.ToLowerInvariant();
            var offset = rel.StartsWith("last") || rel.Contains("previous") ? -1 : rel.StartsWith("next") ? 1 : 0;
            year = published?.Year + offset;
        }
        else if (m.Groups["mp"].Value.Equals("last", StringComparison.OrdinalIgnoreCase) && published is { Month: { } pm } lp)
            year = lastMonth < pm ? lp.Year : lp.Year - 1;
        else if (contextYear is not null)
            year = contextYear;
        else if (published is { } p)
            year = p.Month is { } pubMonth && lastMonth >= pubMonth ? p.Year - 1 : p.Year; // a month's figures come out the month after
        return year is null ? null : new Period(year.Value, kind.Value, index);
    }

    private static (PeriodKind? Kind, int Index, int LastMonth) SubPeriod(Match m)
    {
        if (m.Groups["qs"].Success)
            return Ytd(NumberOf(m.Groups["qs"].Value) * 3);
        if (m.Groups["q"].Success)
        {
            var q = m.Groups["q"].Value.ToLowerInvariant() switch { "first" or "1st" => 1, "second" or "2nd" => 2, "third" or "3rd" => 3, _ => 4 };
            return (PeriodKind.Quarter, q, q * 3);
        }
        if (m.Groups["qn"].Success)
            return (PeriodKind.Quarter, m.Groups["qn"].Value[0] - '0', (m.Groups["qn"].Value[0] - '0') * 3);
        if (m.Groups["h"].Success || m.Groups["hn"].Success)
        {
            var h = m.Groups["h"].Value.Equals("second", StringComparison.OrdinalIgnoreCase) || m.Groups["hn"].Value == "2" ? 2 : 1;
            return (PeriodKind.Half, h, h * 6);
        }
        if (m.Groups["mn"].Success)
            return Ytd(NumberOf(m.Groups["mn"].Value));
        if (m.Groups["m1"].Success)
        {
            var (from, to) = (MonthOf(m.Groups["m1"].Value), MonthOf(m.Groups["m2"].Value));
            if (from == 1)
                return Ytd(to);
            if (to - from == 2 && to % 3 == 0)
                return (PeriodKind.Quarter, to / 3, to);
            return from == 7 && to == 12 ? (PeriodKind.Half, 2, 12) : (null, 0, 0);
        }
        var month = MonthOf(m.Groups["mo"].Value);
        return (PeriodKind.Month, month, month);
    }

    /// <summary>January to month n: a quarter, a half or the year when it is one, else year-to-date.</summary>
    private static (PeriodKind? Kind, int Index, int LastMonth) Ytd(int months) => months switch
    {
        < 1 or > 12 => (null, 0, 0),
        3 => (PeriodKind.Quarter, 1, 3),
        6 => (PeriodKind.Half, 1, 6),
        12 => (PeriodKind.Year, 0, 12),
        _ => (PeriodKind.YearToDate, months, months),
    };

    private static int NumberOf(string word) => word.ToLowerInvariant() switch
    {
        "one" => 1, "two" => 2, "three" => 3, "four" => 4, "five" => 5, "six" => 6, "seven" => 7, "eight" => 8,
        "nine" => 9, "ten" => 10, "eleven" => 11, "twelve" => 12,
        var digits => int.Parse(digits, CultureInfo.InvariantCulture),
    };

    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    internal static int MonthOf(string name) => Array.IndexOf(Months, name.TrimEnd('.').ToLowerInvariant()[..3]) + 1;

    [GeneratedRegex(@"(?<![\d-])(?<y>(?:19|20)\d\d)-(?<m>0[1-9]|1[0-2])-(?<d>0[1-9]|[12]\d|3[01])(?!\d)|\b(?<mo>" + Month + @")\s+(?<d>[0-3]?\d),\s+(?<y>(?:19|20)\d\d)\b|\b(?<d>[0-3]?\d)\s+(?<mo>" + Month + @")\s+(?<y>(?:19|20)\d\d)\b", RegexOptions.IgnoreCase)]
    private static partial Regex DatePattern();

    /// <summary>The date in an article's header or dateline ("date 2021-01-17", "CHONGQING, Jan. 17, 2021"), if its first lines carry one.</summary>
    public static PublishedDate? DateInHeader(string text)
    {
        var m = DatePattern().Match(text[..Math.Min(text.Length, 400)]);
        if (!m.Success)
            return null;
        var month = m.Groups["m"].Success ? int.Parse(m.Groups["m"].Value, CultureInfo.InvariantCulture) : MonthOf(m.Groups["mo"].Value);
        var day = int.Parse(m.Groups["d"].Value, CultureInfo.InvariantCulture);
        return month is >= 1 and <= 12 && day is >= 1 and <= 31
            ? new PublishedDate(int.Parse(m.Groups["y"].Value, CultureInfo.InvariantCulture), month, day)
            : null;
    }

    [GeneratedRegex(@"(?:19|20)\d\d(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?")]
    private static partial Regex DateInName();

    /// <summary>
    /// The publication date of an article that came without one: its own header or dateline, else a date (or a
    /// year) in its file name or URL path.
    /// </summary>
    public static PublishedDate? PublishedFor(string name, string text)
    {
        if (DateInHeader(ArticleText.Normalize(text)) is { } header)
            return header;
        return DateInName().Match(Path.GetFileNameWithoutExtension(name.Split('?')[0])) is { Success: true } m && PublishedDate.TryParse(m.Value, out var d) ? d : null;
    }
}
