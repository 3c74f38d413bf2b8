using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace IndicatorFunctions.Domain;

public enum PeriodKind { Year, Half, Quarter, Month, YearToDate }

/// <summary>
/// A statistical period: <c>YYYY</c>, <c>YYYY-Hn</c>, <c>YYYY-Qn</c>, <c>YYYY-MM</c> or <c>YYYY-YTDmm</c> (January to
/// month mm, cumulative). Its YoY prior is the same period one year earlier; periods of different kinds never mix.
/// </summary>
public readonly record struct Period(int Year, PeriodKind Kind, int Index) : IComparable<Period>
{
    public const string Syntax = "YYYY, YYYY-Hn, YYYY-Qn, YYYY-MM or YYYY-YTDmm";

    public Period Prior => this with { Year = Year - 1 };

    public Period Next => this with { Year = Year + 1 };

    public static Period Parse(string text) =>
        TryParse(text, out var period) ? period : throw new FormatException($"'{text}' is not a period ({Syntax}).");

    public static bool TryParse([NotNullWhen(true)] string? text, out Period period)
    {
        period = default;
        if (text is null || text.Length < 4 || !TryNumber(text[..4], 1900, 2199, out var year))
            return false;
        if (text.Length == 4)
        {
            period = new Period(year, PeriodKind.Year, 0);
            return true;
        }
        if (text[4] != '-')
            return false;
        var rest = text[5..];
        var (kind, digits, max) = rest switch
        {
            ['H', _] => (PeriodKind.Half, rest[1..], 2),
            ['Q', _] => (PeriodKind.Quarter, rest[1..], 4),
            ['Y', 'T', 'D', _, _] => (PeriodKind.YearToDate, rest[3..], 12),
            [_, _] => (PeriodKind.Month, rest, 12),
            _ => (PeriodKind.Year, "", 0),
        };
        if (max == 0 || !TryNumber(digits, 1, max, out var index))
            return false;
        period = new Period(year, kind, index);
        return true;
    }

    private static bool TryNumber(string digits, int min, int max, out int value) =>
        int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value)
        && digits.All(char.IsAsciiDigit) && value >= min && value <= max;

    public override string ToString() => Kind switch
    {
        PeriodKind.Year => Year.ToString("D4", CultureInfo.InvariantCulture),
        PeriodKind.Half => $"{Year:D4}-H{Index}",
        PeriodKind.Quarter => $"{Year:D4}-Q{Index}",
        PeriodKind.Month => $"{Year:D4}-{Index:D2}",
        PeriodKind.YearToDate => $"{Year:D4}-YTD{Index:D2}",
        _ => throw new InvalidOperationException(),
    };

    /// <summary>Chronological within a kind; kinds ordered Year, Half, Quarter, Month, YearToDate within a year.</summary>
    public int CompareTo(Period other) =>
        Year != other.Year ? Year.CompareTo(other.Year)
        : Kind != other.Kind ? Kind.CompareTo(other.Kind)
        : Index.CompareTo(other.Index);
}
