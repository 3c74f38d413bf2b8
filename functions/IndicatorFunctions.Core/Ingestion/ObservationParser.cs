using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using CsvHelper;
using CsvHelper.Configuration;

namespace IndicatorFunctions.Ingestion;

/// <summary>
/// Turns a body into rows through a <see cref="RowMapping"/>. Bodies are UTF-8 (a byte-order mark is skipped).
/// JSON: the mapping's records array (pushed bodies: <c>{"observations":[{...}]}</c>), rows numbered from 1 in
/// array order; a property given twice in one object is refused, not "last one wins". CSV: a header row, then one
/// record per line, rows numbered by their line in the file (the header is line 1). A quoted field must close on
/// its own line: a line with broken quoting is an <see cref="ObservationInput.Unreadable"/> row on that line,
/// never merged with the lines after it. A body that cannot be read at all (not UTF-8, not JSON, no header)
/// throws <see cref="FormatException"/>; a bad field is left for validation, which names it.
/// </summary>
public static class ObservationParser
{
    public static readonly string[] Fields = ["district", "indicator", "period", "value", "sector", "unit", "scale", "status", "source"];

    public static readonly string[] RequiredFields = ["district", "indicator", "period", "value"];

    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    public static IReadOnlyList<ObservationInput> ParseJson(ReadOnlyMemory<byte> body, RowMapping? mapping = null)
    {
        mapping ??= RowMapping.Default;
        body = Utf8Text(body);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, Strict);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Body is not valid JSON: {ex.Message}", ex);
        }
        using (document)
        {
            var array = Records(document.RootElement, mapping.Records);
            var rows = new List<ObservationInput>(array.GetArrayLength());
            var row = 0;
            foreach (var item in array.EnumerateArray())
            {
                row++;
                if (item.ValueKind != JsonValueKind.Object)
                {
                    rows.Add(new ObservationInput(row, null, null, null, null, null, null, null, null, null) { ValueText = "(not an object)" });
                    continue;
                }
                string? Text(string field) => TextOf(Find(item, mapping.ColumnOf(field))) ?? mapping.Defaults.GetValueOrDefault(field);
                // Absent, null or "" all mean "not given": the default applies, as for an empty CSV cell.
                (double?, string?) Number(string field) => Find(item, mapping.ColumnOf(field)) is { } v && NumberOf(v, mapping.NumbersInStrings) is { Text: not null } given
                    ? given
                    : FromText(mapping.Defaults.GetValueOrDefault(field));
                rows.Add(Row(row, Text, Number));
            }
            return rows;
        }
    }

    public static IReadOnlyList<ObservationInput> ParseCsv(ReadOnlyMemory<byte> body, RowMapping? mapping = null) =>
        ParseCsv(Encoding.UTF8.GetString(Utf8Text(body).Span), mapping);

    public static IReadOnlyList<ObservationInput> ParseCsv(string body, RowMapping? mapping = null)
    {
        mapping ??= RowMapping.Default;
        body = body.TrimStart('\uFEFF');
        // CsvHelper reports broken quoting through BadDataFound when a field is first read; a line break inside
        // quotes counts as broken, so one bad quote cannot pull the next lines into its record.
        string? bad = null;
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            PrepareHeaderForMatch = args => args.Header.Trim().ToLowerInvariant(),
            TrimOptions = TrimOptions.Trim,
            LineBreakInQuotedFieldIsBadData = true,
            BadDataFound = args => bad ??= args.Field,
        };
        using var reader = new StringReader(body);
        using var csv = new CsvReader(reader, config);
        if (!csv.Read() || !csv.ReadHeader())
            throw new FormatException("CSV body is empty: a header row naming the fields is required.");
        if (bad is not null || BrokenField(csv.Parser, ref bad) is not null)
            throw new FormatException($"the header (line 1) has broken quoting at {Quote(bad!)}: {QuotingRule}.");
        var header = csv.HeaderRecord!.Select(h => h.Trim().ToLowerInvariant()).ToHashSet();
        CheckHeader(header, mapping);

        var columns = Fields.ToDictionary(f => f, f => mapping.ColumnOf(f).Trim().ToLowerInvariant());
        var lines = new LineCounter(body);
        var rows = new List<ObservationInput>();
        while (csv.Read())
        {
            // CsvHelper's RawRow drifts after a bad line break; the record's start offset does not.
            var line = lines.LineAt(csv.Parser.CharCount - csv.Parser.RawRecord.Length);
            string? Cell(string field) => header.Contains(columns[field]) && csv.TryGetField<string>(columns[field], out var v) && !string.IsNullOrEmpty(v) ? v : null;
            string? Text(string field) => Cell(field) ?? mapping.Defaults.GetValueOrDefault(field);
            (double?, string?) Number(string field) => FromText(Text(field));
            // Probed before the fields are read below: CsvHelper flags a field only the first time it is read.
            var broken = BrokenField(csv.Parser, ref bad);
            var row = Row(line, Text, Number);
            if (broken is { } index)
            {
                var field = FieldOfColumn(csv.HeaderRecord!, index, columns);
                row = row with { Unreadable = new RowError(line, field, $"line {line}: broken quoting in {field} at {Quote(bad!)}: {QuotingRule}", RowRules.Quoting) };
            }
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Reads the record's fields in turn (every column, read by a field or not) and returns the first one BadDataFound flagged.</summary>
    private static int? BrokenField(IParser parser, ref string? bad)
    {
        for (var i = 0; i < parser.Count; i++)
        {
            bad = null;
            _ = parser[i];
            if (bad is not null)
                return i;
        }
        return null;
    }

    private const string QuotingRule = "a quoted field must close on the same line, with nothing after the closing quote, and a quote inside it is written twice (\"\")";

    /// <summary>The observation field a CSV column feeds, else the column's own header (else its position).</summary>
    private static string FieldOfColumn(string[] header, int index, Dictionary<string, string> columns)
    {
        if (index < 0 || index >= header.Length)
            return $"column {index + 1}";
        var column = header[index].Trim().ToLowerInvariant();
        return columns.FirstOrDefault(c => c.Value == column).Key ?? header[index].Trim();
    }

    /// <summary>The start of a broken field for a message, control characters shown as <c>·</c>.</summary>
    private static string Quote(string text)
    {
        text = text.TrimEnd('\r', '\n');
        text = string.Concat((text.Length > 40 ? text[..40] + "…" : text).Select(c => char.IsControl(c) ? '·' : c));
        return "«" + text + "»";
    }

    /// <summary>
    /// The body without a byte-order mark (many tools, Excel's "CSV UTF-8" among them, write one), once it is known
    /// to be UTF-8. Anything else (GBK, Latin-1, UTF-16, a truncated sequence) is refused naming the line, rather
    /// than read with replacement characters.
    /// </summary>
    private static ReadOnlyMemory<byte> Utf8Text(ReadOnlyMemory<byte> body)
    {
        if (body.Span.StartsWith(Utf8Bom))
            body = body[Utf8Bom.Length..];
        if (Utf8.IsValid(body.Span))
            return body;
        var span = body.Span;
        var offset = 0;
        while (Rune.DecodeFromUtf8(span[offset..], out _, out var consumed) == OperationStatus.Done)
            offset += consumed;
        var line = new LineCounter(Encoding.Latin1.GetString(span[..offset])).LineAt(offset);
        throw new FormatException($"body is not valid UTF-8: line {line} has byte 0x{span[offset]:X2} that is not UTF-8 (send the file encoded as UTF-8).");
    }

    /// <summary>1-based line of an offset in a text, counting \n, \r\n and a lone \r as one line break each; offsets only grow.</summary>
    private sealed class LineCounter(string text)
    {
        private int position;
        private int line = 1;

        public int LineAt(long offset)
        {
            for (; position < offset && position < text.Length; position++)
            {
                if (text[position] == '\n' || (text[position] == '\r' && (position + 1 == text.Length || text[position + 1] != '\n')))
                    line++;
            }
            return line;
        }
    }

    private static ObservationInput Row(int row, Func<string, string?> text, Func<string, (double? Value, string? Text)> number)
    {
        var (value, valueText) = number("value");
        var (scale, scaleText) = number("scale");
        return new ObservationInput(row, text("district"), text("indicator"), text("period"), value,
            text("sector"), text("unit"), scale, text("status"), text("source"))
        { ValueText = valueText, ScaleText = scaleText };
    }

    /// <summary>A mapped column that is missing means the publisher changed the file: say which, rather than reject every row.</summary>
    private static void CheckHeader(HashSet<string> header, RowMapping mapping)
    {
        var problems = new List<string>();
        foreach (var (field, column) in mapping.Fields)
        {
            if (!header.Contains(column.Trim().ToLowerInvariant()))
                problems.Add($"column '{column}' (mapped to {field}) is not in the header");
        }
        var missing = RequiredFields.Where(f => !mapping.Fields.ContainsKey(f) && !header.Contains(f) && !mapping.Defaults.ContainsKey(f)).ToList();
        if (missing.Count > 0)
            problems.Add($"CSV header lacks required column(s): {string.Join(", ", missing)}");
        if (problems.Count > 0)
            throw new FormatException(string.Join("; ", problems) + $". Header: {string.Join(", ", header)}.");
    }

    private static JsonElement Records(JsonElement root, string? path)
    {
        if (path is null)
        {
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("observations", out var observations) || observations.ValueKind != JsonValueKind.Array)
                throw new FormatException("Body must be a JSON object with an \"observations\" array.");
            return observations;
        }
        var records = Find(root, path);
        if (records is not { ValueKind: JsonValueKind.Array } array)
            throw new FormatException($"records path '{path}' does not lead to an array in the JSON (found {records?.ValueKind.ToString() ?? "nothing"}).");
        return array;
    }

    /// <summary>Follows a dotted path; a segment of digits indexes an array. "" is the element itself.</summary>
    internal static JsonElement? Find(JsonElement element, string path)
    {
        if (path.Length == 0)
            return element;
        foreach (var segment in path.Split('.'))
        {
            if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(segment, out var child))
                element = child;
            else if (element.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < element.GetArrayLength())
                element = element[index];
            else
                return null;
        }
        return element;
    }

    private static string? TextOf(JsonElement? v) => v?.ValueKind switch
    {
        null or JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.String => v.Value.GetString() is { Length: > 0 } s ? s : null,
        _ => v.Value.GetRawText(),
    };

    private static (double? Value, string? Text) NumberOf(JsonElement v, bool numbersInStrings)
    {
        if (v.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            return (null, null);
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d))
            return (d, v.GetRawText());
        if (numbersInStrings && v.ValueKind == JsonValueKind.String)
            return FromText(v.GetString());
        return (null, v.GetRawText());
    }

    private static (double? Value, string? Text) FromText(string? text) => string.IsNullOrEmpty(text) ? (null, null) :
        (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null, text);
}
