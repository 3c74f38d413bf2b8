using System.Globalization;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;

namespace IndicatorFunctions.Ingestion;

/// <summary>
/// Turns a request body into rows. JSON: <c>{"observations":[{...}]}</c>, rows numbered from 1 in array order.
/// CSV: a header row naming the same fields, rows numbered by their line in the file (the header is line 1; a
/// record whose quoted field spans lines is numbered by the line it ends on).
/// A body that cannot be read at all throws <see cref="FormatException"/>; a bad field is left for validation.
/// </summary>
public static class ObservationParser
{
    public static readonly string[] Fields = ["district", "indicator", "period", "value", "sector", "unit", "scale", "status", "source"];

    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    public static IReadOnlyList<ObservationInput> ParseJson(ReadOnlyMemory<byte> body)
    {
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
            if (document.RootElement.ValueKind != JsonValueKind.Object ||
                !document.RootElement.TryGetProperty("observations", out var array) || array.ValueKind != JsonValueKind.Array)
                throw new FormatException("Body must be a JSON object with an \"observations\" array.");

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
                var (value, valueText) = Number(item, "value");
                var (scale, scaleText) = Number(item, "scale");
                rows.Add(new ObservationInput(row, Text(item, "district"), Text(item, "indicator"), Text(item, "period"), value,
                    Text(item, "sector"), Text(item, "unit"), scale, Text(item, "status"), Text(item, "source"))
                { ValueText = valueText, ScaleText = scaleText });
            }
            return rows;
        }
    }

    public static IReadOnlyList<ObservationInput> ParseCsv(string body)
    {
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
        var missing = new[] { "district", "indicator", "period", "value" }.Where(f => !header.Contains(f)).ToList();
        if (missing.Count > 0)
            throw new FormatException($"CSV header lacks required column(s): {string.Join(", ", missing)}.");

        var rows = new List<ObservationInput>();
        while (csv.Read())
        {
            string? Field(string name) => header.Contains(name) && csv.TryGetField<string>(name, out var v) && !string.IsNullOrEmpty(v) ? v : null;
            var valueText = Field("value");
            var scaleText = Field("scale");
            rows.Add(new ObservationInput(csv.Parser.RawRow, Field("district"), Field("indicator"), Field("period"), ParseDouble(valueText),
                Field("sector"), Field("unit"), ParseDouble(scaleText), Field("status"), Field("source"))
            { ValueText = valueText, ScaleText = scaleText });
        }
        return rows;
    }

    private static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => v.GetRawText(),
        } : null;

    private static (double? Value, string? Text) Number(JsonElement item, string name)
    {
        if (!item.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            return (null, null);
        return v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) ? (d, v.GetRawText()) : (null, v.GetRawText());
    }

    private static double? ParseDouble(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
}
