using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

namespace IndicatorFunctions.Formats;

/// <summary>
/// RFC 4180 CSV: a header row, then one record per row, each ended by CRLF; a field holding a comma, a double quote,
/// a CR or an LF is quoted, its quotes doubled; every other field is written as it is. UTF-8 without a byte-order
/// mark (the media type names the charset). Fields are text already: <see cref="Number"/>, <see cref="Bool"/>,
/// <see cref="Time"/> and <see cref="List"/> give the one spelling of each kind of value.
/// </summary>
public static class CsvTable
{
    /// <summary>The separator of list fields (a rollup's missing members): not a comma, so the field needs no quotes.</summary>
    public const string ListSeparator = ";";

    private static readonly CsvConfiguration Configuration = new(CultureInfo.InvariantCulture)
    {
        NewLine = "\r\n",
        // CsvHelper's default, with NewLine set, quotes only a field holding the whole CRLF: RFC 4180 wants any CR or LF.
        ShouldQuote = args => args.Field is { Length: > 0 } field && field.AsSpan().IndexOfAny(",\"\r\n") >= 0,
    };

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static byte[] Write(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string?>> rows)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = new CsvWriter(text, Configuration))
        {
            WriteRecord(csv, header);
            foreach (var row in rows)
            {
                if (row.Count != header.Count)
                    throw new ArgumentException($"a row has {row.Count} fields, the header {header.Count}", nameof(rows));
                WriteRecord(csv, row);
            }
        }
        return Utf8.GetBytes(text.ToString());
    }

    private static void WriteRecord(CsvWriter csv, IEnumerable<string?> fields)
    {
        foreach (var field in fields)
            csv.WriteField(field ?? "");
        csv.NextRecord();
    }

    /// <summary>The shortest text that reads back as the same double (as JSON writes it); empty when there is no figure.</summary>
    public static string Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";

    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Bool(bool value) => value ? "true" : "false";

    /// <summary>ISO 8601 with the offset (round-trip form); empty when absent.</summary>
    public static string Time(DateTimeOffset? value) => value?.ToString("O", CultureInfo.InvariantCulture) ?? "";

    public static string List(IEnumerable<string> values) => string.Join(ListSeparator, values);
}
