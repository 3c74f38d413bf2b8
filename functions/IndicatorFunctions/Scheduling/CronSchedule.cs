using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;

namespace IndicatorFunctions.Scheduling;

/// <summary>
/// A six-field NCRONTAB schedule, <c>{second} {minute} {hour} {day} {month} {day-of-week}</c>,
/// as used by Azure Functions timer triggers. Occurrences are computed in UTC.
/// </summary>
/// <remarks>
/// A date must match both the day and the day-of-week field, as in NCrontab, which the Azure Functions
/// host uses for timer triggers: <c>0 0 0 13 * FRI</c> is Friday the 13th, not every 13th and every Friday
/// as in Vixie cron. Standalone mode must fire when the host would.
/// </remarks>
public sealed class CronSchedule
{
    // The rarest satisfiable schedule is Feb 29, whose longest gap is 2096 -> 2104 (2100 is not a
    // leap year), so searching this far means "null" really is "never", not "not soon".
    private const int SearchYears = 8;

    private static readonly Field[] Fields =
    [
        new("second", 0, 59),
        new("minute", 0, 59),
        new("hour", 0, 23),
        new("day", 1, 31),
        new("month", 1, 12, ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]),
        new("day-of-week", 0, 6, ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], SevenIsSunday: true),
    ];

    private readonly string _expression;
    private readonly ulong _seconds, _minutes, _hours, _days, _months, _daysOfWeek;

    private CronSchedule(string expression, ulong[] masks)
    {
        _expression = expression;
        (_seconds, _minutes, _hours, _days, _months, _daysOfWeek) = (masks[0], masks[1], masks[2], masks[3], masks[4], masks[5]);
    }

    /// <summary>Parses an expression, throwing <see cref="FormatException"/> naming the offending field.</summary>
    public static CronSchedule Parse(string expression) =>
        TryParse(expression, out var schedule, out var error) ? schedule : throw new FormatException(error);

    /// <summary>Parses an expression; on failure <paramref name="error"/> holds the message <see cref="Parse"/> would throw.</summary>
    public static bool TryParse(string expression, [NotNullWhen(true)] out CronSchedule? schedule, [NotNullWhen(false)] out string? error)
    {
        schedule = null;
        expression ??= ""; // callers with nullable input get an ordinary parse error, not a crash
        var parts = expression.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != Fields.Length)
        {
            error = $"Invalid cron expression '{expression}': expected {Fields.Length} fields but found {parts.Length} "
                + "(format: {second} {minute} {hour} {day} {month} {day-of-week}).";
            return false;
        }

        var masks = new ulong[Fields.Length];
        for (var i = 0; i < Fields.Length; i++)
        {
            var fieldError = ParseField(parts[i], Fields[i], out masks[i]);
            if (fieldError is not null)
            {
                error = $"Invalid cron expression '{expression}': {Fields[i].Name} field: {fieldError}.";
                return false;
            }
        }

        error = null;
        schedule = new CronSchedule(expression, masks);
        return true;
    }

    /// <summary>
    /// The first occurrence strictly after <paramref name="after"/>, in UTC (offset zero),
    /// or null if the schedule never fires again (e.g. <c>0 0 0 30 2 *</c>, or past year 9999).
    /// </summary>
    public DateTimeOffset? GetNextOccurrence(DateTimeOffset after)
    {
        var utc = after.UtcDateTime;
        // Working on plain integers lets a field run one past its maximum (second 60, month 13, ...)
        // to mean "carry into the next larger field", and avoids DateTime overflow near year 9999.
        var (year, month, day, hour, minute, second) = (utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, utc.Second + 1);
        var lastYear = Math.Min(year + SearchYears, DateTime.MaxValue.Year);

        while (year <= lastYear)
        {
            var nextMonth = NextInMask(_months, month);
            if (nextMonth < 0) { (year, month, day, hour, minute, second) = (year + 1, 1, 1, 0, 0, 0); continue; }
            if (nextMonth != month) (month, day, hour, minute, second) = (nextMonth, 1, 0, 0, 0);

            var nextDay = NextMatchingDay(year, month, day);
            if (nextDay < 0) { (month, day, hour, minute, second) = (month + 1, 1, 0, 0, 0); continue; }
            if (nextDay != day) (day, hour, minute, second) = (nextDay, 0, 0, 0);

            var nextHour = NextInMask(_hours, hour);
            if (nextHour < 0) { (day, hour, minute, second) = (day + 1, 0, 0, 0); continue; }
            if (nextHour != hour) (hour, minute, second) = (nextHour, 0, 0);

            var nextMinute = NextInMask(_minutes, minute);
            if (nextMinute < 0) { (hour, minute, second) = (hour + 1, 0, 0); continue; }
            if (nextMinute != minute) (minute, second) = (nextMinute, 0);

            var nextSecond = NextInMask(_seconds, second);
            if (nextSecond < 0) { (minute, second) = (minute + 1, 0); continue; }

            return new DateTimeOffset(year, month, day, hour, minute, nextSecond, TimeSpan.Zero);
        }

        return null;
    }

    /// <summary>The expression exactly as it was parsed.</summary>
    public override string ToString() => _expression;

    private int NextMatchingDay(int year, int month, int fromDay)
    {
        for (var day = fromDay; day <= DateTime.DaysInMonth(year, month); day++)
        {
            // An unrestricted field has every bit set, so AND leaves the other field in charge.
            if (Contains(_days, day) && Contains(_daysOfWeek, (int)new DateTime(year, month, day).DayOfWeek))
                return day;
        }
        return -1;
    }

    private static bool Contains(ulong mask, int value) => (mask & (1UL << value)) != 0;

    // Callers pass at most 60 (a carried second/minute), so the shift never wraps.
    private static int NextInMask(ulong mask, int from)
    {
        var remaining = mask & (ulong.MaxValue << from);
        return remaining == 0 ? -1 : BitOperations.TrailingZeroCount(remaining);
    }

    private static string? ParseField(string text, Field field, out ulong mask)
    {
        mask = 0;
        foreach (var element in text.Split(','))
        {
            var error = element.Length == 0 ? "list has an empty element" : ParseElement(element, field, ref mask);
            if (error is not null) return error;
        }

        if (field.SevenIsSunday && Contains(mask, 7))
            mask = (mask & ~(1UL << 7)) | 1UL;
        return null;
    }

    // One list element: "*", "a", "a-b", each optionally followed by "/step".
    private static string? ParseElement(string element, Field field, ref ulong mask)
    {
        var step = 1;
        var range = element;
        var slash = element.IndexOf('/');
        if (slash >= 0)
        {
            var stepText = element[(slash + 1)..];
            if (!int.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out step) || step <= 0)
                return $"step must be a positive integer but was '{stepText}'";
            range = element[..slash];
        }

        int start, end;
        var dash = range.IndexOf('-');
        if (range == "*")
        {
            (start, end) = (field.Min, field.Max);
        }
        else if (dash < 0)
        {
            if (ParseValue(range, field, out start) is { } error) return error;
            // "a/n" runs to the field's maximum; a bare "a" is just itself.
            end = slash >= 0 ? field.Max : start;
        }
        else
        {
            if (ParseValue(range[..dash], field, out start) is { } startError) return startError;
            if (ParseValue(range[(dash + 1)..], field, out end) is { } endError) return endError;
        }

        if (start > end) return $"range start {start} is after end {end}";
        for (var value = start; value <= end; value += step)
            mask |= 1UL << value;
        return null;
    }

    private static string? ParseValue(string text, Field field, out int value)
    {
        value = Array.FindIndex(field.Names, name => name.Equals(text, StringComparison.OrdinalIgnoreCase));
        if (value >= 0)
        {
            value += field.Min;
            return null;
        }

        if (text.Length == 0) return "a value is missing";
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
            return $"'{text}' is not a valid value";

        var max = field.SevenIsSunday ? 7 : field.Max;
        return value < field.Min || value > max ? $"value {value} is out of range {field.Min}-{max}" : null;
    }

    // Max is the largest canonical value, used by "*" and "a/n"; day-of-week additionally
    // accepts a literal 7 as Sunday, which is folded onto 0 after parsing.
    private sealed record Field(string Name, int Min, int Max, string[] Names, bool SevenIsSunday = false)
    {
        public Field(string name, int min, int max) : this(name, min, max, []) { }
    }
}
