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
        DateTimeOffset dto => $"datetime'{dto.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffffffZ}'",
        DateTime dt => $"datetime'{(dt.Kind == DateTimeKind.Local ? dt.ToUniversalTime() : dt):yyyy-MM-ddTHH:mm:ss.fffffffZ}'",
        Guid g => $"guid'{g:D}'",
        byte[] bytes => $"X'{Convert.ToHexStringLower(bytes)}'",
        _ => throw new ArgumentException($"Filter argument {position} has type {value.GetType().Name}, which has no OData literal (or is not finite).", nameof(value)),
    };

    private static string Quote(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";
}
