using System.Diagnostics.CodeAnalysis;
using NCrontab;

namespace IndicatorFunctions.Scheduling;

/// <summary>
/// Six-field NCRONTAB schedules (seconds first, UTC), parsed by NCrontab.Signed, the parser the Functions host
/// uses for timer triggers: source schedules and local mode's timers mean exactly what the host would make of them.
/// </summary>
public static class Schedules
{
    private static readonly CrontabSchedule.ParseOptions WithSeconds = new() { IncludingSeconds = true };

    public static CrontabSchedule Parse(string expression) => CrontabSchedule.Parse(expression, WithSeconds);

    public static bool TryParse(string expression, [NotNullWhen(true)] out CrontabSchedule? schedule, [NotNullWhen(false)] out string? error)
    {
        try
        {
            schedule = Parse(expression);
            error = null;
            return true;
        }
        catch (CrontabException ex)
        {
            schedule = null;
            error = ex.Message;
            return false;
        }
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>, or null when the schedule never fires again.</summary>
    public static DateTimeOffset? Next(this CrontabSchedule schedule, DateTimeOffset after)
    {
        var next = schedule.GetNextOccurrence(after.UtcDateTime, DateTime.MaxValue);
        return next == DateTime.MaxValue ? null : new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc));
    }
}
