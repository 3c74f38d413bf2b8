using System.Globalization;

namespace IndicatorFunctions.Storage.Tables;

/// <summary>
/// Builds OData <c>$filter</c> strings from interpolated strings, escaping every interpolated value by its type
/// (as Azure.Data.Tables' TableClient.CreateQueryFilter does): a value can never change the filter's structure.
/// </summary>
public static class TableOdataFilter
{
    public static string Create(FormattableString filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var args = filter.GetArguments().Select((value, i) => (object)Literal(value, i)).ToArray();
        return string.Format(CultureInfo.InvariantCulture, filter.Format, args);
    }

    public static string Literal(object? value, int position = 0) => value switch
    {
        null => "null",
        string s => Quote(s),
        char c => Quote(c.ToString()),
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        double d when double.IsFinite(d) => d.ToString("R", CultureInfo.InvariantCulture),
        DateTimeOffset dto => DateLiteral(dto.UtcDateTime),
        DateTime dt => DateLiteral(dt.Kind == DateTimeKind.Local ? dt.ToUniversalTime() : dt),
        Guid g => $"guid'{g:D}'",
        byte[] bytes => $"X'{Convert.ToHexStringLower(bytes)}'",
        _ => throw new ArgumentException($"Filter argument {position} has type {value.GetType().Name}, which has no OData literal (or is not finite).", nameof(value)),
    };

    // Invariant culture: in a format string ':' is the culture's time separator, which is not always ':'.
    private static string DateLiteral(DateTime utc) =>
        "datetime'" + utc.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture) + "'";

    private static string Quote(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";
}
