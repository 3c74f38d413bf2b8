using System.Text;

using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace IndicatorFunctions.Extraction;

/// <summary>
/// The text an extractor reads: HTML reduced to its visible text (one line per block element), then paragraphs
/// (lines) and sentences. Offsets are always into the plain text, so a span can be shown in it.
/// </summary>
public static class ArticleText
{
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "noscript", "template", "head", "nav", "footer", "svg", "iframe", "form", "button", "select",
    };

    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "table", "section",
        "article", "header", "blockquote", "pre", "dd", "dt", "figcaption", "main", "aside", "title",
    };

    /// <summary>The visible text of an HTML document, a line per block element, runs of whitespace collapsed.</summary>
    public static string FromHtml(string html)
    {
        var document = new HtmlParser().ParseDocument(html);
        var text = new StringBuilder();
        Append(document.Body ?? (INode)document.DocumentElement, text);
        return string.Join('\n', text.ToString().Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0));
    }

    private static void Append(INode node, StringBuilder text)
    {
        foreach (var child in node.ChildNodes)
        {
            if (child is IText t)
            {
                foreach (var c in t.Data)
                {
                    var blank = char.IsWhiteSpace(c);
                    if (!blank)
                        text.Append(c);
                    else if (text.Length > 0 && !char.IsWhiteSpace(text[^1]))
                        text.Append(' ');
                }
            }
            else if (child is IElement element && !Skipped.Contains(element.LocalName))
            {
                var block = Blocks.Contains(element.LocalName);
                if (block)
                    text.Append('\n');
                Append(element, text);
                if (block)
                    text.Append('\n');
            }
        }
    }

    /// <summary>
    /// The text with typographic variants replaced one character for one (curly quotes, dashes, non-breaking and
    /// full-width spaces, full-width punctuation), so patterns stay simple and offsets stay those of the input.
    /// </summary>
    public static string Normalize(string text) => string.Create(text.Length, text, static (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            span[i] = source[i] switch
            {
                '\u2018' or '\u2019' or '\u2032' => '\'',
                '\u201C' or '\u201D' => '"',
                '\u2013' or '\u2014' or '\u2212' or '\u2010' or '\u2011' => '-',
                '\u00A0' or '\u3000' or '\u2009' or '\u202F' or '\t' => ' ',
                '\uFF05' => '%',
                '\uFF08' => '(',
                '\uFF09' => ')',
                '\uFF0C' => ',',
                '\uFF1B' => ';',
                '\uFF1A' => ':',
                '\u3002' => '.',
                var c => c,
            };
        }
    });

    /// <summary>Paragraphs: non-blank lines, as [start, end) spans.</summary>
    public static IEnumerable<(int Start, int End)> Paragraphs(string text)
    {
        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf('\n', start);
            if (end < 0)
                end = text.Length;
            if (!string.IsNullOrWhiteSpace(text.AsSpan(start, end - start).ToString()))
                yield return (start, end);
            start = end + 1;
        }
    }

    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "no", "nos", "co", "corp",
        "ltd", "inc", "mr", "mrs", "ms", "dr", "st", "prof", "gov", "vs", "approx", "dept", "est", "fig", "e", "g", "i",
    };

    /// <summary>
    /// Sentences of one paragraph, as trimmed [start, end) spans. A sentence ends at . ! ? ; (and their full-width
    /// forms) unless the stop is a decimal point or ends an abbreviation (Jan., U.S., Co.); a missing space after
    /// the stop ("growth.We") still ends it.
    /// </summary>
    public static List<(int Start, int End)> Sentences(string text, int start, int end)
    {
        var sentences = new List<(int, int)>();
        var from = start;
        for (var i = start; i < end; i++)
        {
            var c = text[i];
            // Text without stops (a table flattened, a list) is cut into pieces of bounded length, so the work per
            // figure stays bounded whatever is sent.
            if (i - from >= MaxSentence && char.IsWhiteSpace(c))
            {
                Add(sentences, text, from, i);
                from = i;
                continue;
            }
            if (c is not ('.' or '!' or '?' or ';'))
                continue;
            var next = i + 1 < end ? text[i + 1] : ' ';
            if (c == '.' && (char.IsAsciiDigit(next) || char.IsLower(next) || next is ',' or ')' or '.' || IsAbbreviation(text, i)))
                continue;
            if (!(char.IsWhiteSpace(next) || char.IsUpper(next) || next is '"' or '\'' or '(' or '[' or '-' || char.IsDigit(next) && c != '.'))
                continue;
            Add(sentences, text, from, i + 1);
            from = i + 1;
        }
        Add(sentences, text, from, end);
        return sentences;
    }

    /// <summary>Longer than any sentence of prose.</summary>
    private const int MaxSentence = 1500;

    private static bool IsAbbreviation(string text, int dot)
    {
        var i = dot;
        while (i > 0 && char.IsLetter(text[i - 1]))
            i--;
        var word = text.AsSpan(i, dot - i);
        // A single capital before the dot: an initial or U.S.; a known abbreviation.
        return word.Length == 1 && char.IsUpper(word[0]) || word.Length > 0 && Abbreviations.Contains(word.ToString()) && (word.Length > 1 || char.IsLower(word[0]));
    }

    private static void Add(List<(int, int)> sentences, string text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
            start++;
        while (end > start && char.IsWhiteSpace(text[end - 1]))
            end--;
        if (end > start)
            sentences.Add((start, end));
    }
}
