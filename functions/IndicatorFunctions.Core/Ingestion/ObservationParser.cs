using System.Globalization;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;

namespace IndicatorFunctions.Ingestion;

/// <summary>
/// Turns a body into rows through a <see cref="RowMapping"/>. JSON: the mapping's records array (pushed bodies:
/// <c>{"observations":[{...}]}</c>), rows numbered from 1 in array order. CSV: a header row, rows numbered by
/// their line in the file (the header is line 1; a record whose quoted field spans lines is numbered by the line
/// it ends on). A body that cannot be read at all throws <see cref="FormatException"/>; a bad field is left for
/// validation, which names it.
/// </summary>
public static class ObservationParser
{
    public static readonly string[] Fields = ["district", "indicator", "period", "value", "sector", "unit", "scale", "status", "source"];

    public static readonly string[] RequiredFields = ["district", "indicator", "period", "value"];

    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    public static IReadOnlyList<ObservationInput> ParseJson(ReadOnlyMemory<byte> body, RowMapping? mapping = null)
    {
        mapping ??= RowMapping.Default;
        // Many tools (Excel's "CSV UTF-8", Windows editors) start UTF-8 with a byte-order mark.
        if (body.Span.StartsWith(Utf8Bom))
            body = body[Utf8Bom.Length..];
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
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

    public static IReadOnlyList<ObservationInput> ParseCsv(string body, RowMapping? mapping = null)
    {
        mapping ??= RowMapping.Default;
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            PrepareHeaderForMatch = args => args.Header.Trim().ToLowerInvariant(),
            TrimOptions = TrimOptions.Trim,
            BadDataFound = null,
        };
        using var reader = new StringReader(body.TrimStart('\uFEFF'));
        using var csv = new CsvReader(reader, config);
        if (!csv.Read() || !csv.ReadHeader())
            throw new FormatException("CSV body is empty: a header row naming the fields is required.");
        var header = csv.HeaderRecord!.Select(h => h.Trim().ToLowerInvariant()).ToHashSet();
        CheckHeader(header, mapping);

        var columns = Fields.ToDictionary(f => f, f => mapping.ColumnOf(f).Trim().ToLowerInvariant());
        var rows = new List<ObservationInput>();
        while (csv.Read())
        {
            string? Cell(string field) => header.Contains(columns[field]) && csv.TryGetField<string>(columns[field], out var v) && !string.IsNullOrEmpty(v) ? v : null;
            string? Text(string field) => Cell(field) ?? mapping.Defaults.GetValueOrDefault(field);
            (double?, string?) Number(string field) => FromText(Text(field));
            rows.Add(Row(csv.Parser.RawRow, Text, Number));
        }
        return rows;
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
