using System.Text.RegularExpressions;

namespace IndicatorFunctions.Storage.Tables;

/// <summary>Client-side checks of the Table service's naming rules, so bad input fails before any request.</summary>
public static partial class TableValidation
{
    // Azure allows 1 KiB per key (512 UTF-16 characters); Azurite rejects anything longer than 512 characters.
    public const int MaxKeyLength = 512;

    // \z, not $: $ would also accept a trailing newline.
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]{2,62}\z")]
    private static partial Regex TableNamePattern();

    public static void ValidateTableName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!TableNamePattern().IsMatch(name))
            throw new ArgumentException($"Table name '{name}' is invalid: 3-63 letters and digits, starting with a letter.", nameof(name));
        if (string.Equals(name, "tables", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException("Table name 'tables' is reserved.", nameof(name));
    }

    public static void ValidateKey(string key, string paramName)
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        if (key.Length > MaxKeyLength)
            throw new ArgumentException($"{paramName} is {key.Length} characters long; the limit is {MaxKeyLength}.", paramName);
        foreach (var c in key)
        {
            if (c is '/' or '\\' or '#' or '?' || c <= '\u001F' || c is >= '\u007F' and <= '\u009F')
                throw new ArgumentException($"{paramName} '{Printable(key)}' contains '{Printable(c.ToString())}', which keys may not hold (/ \\ # ? or control characters).", paramName);
        }
    }

    private static string Printable(string s) =>
        string.Concat(s.Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString()));
}
