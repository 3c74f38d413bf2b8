using System.Globalization;
using IndicatorFunctions.Scheduling;

namespace IndicatorFunctions.Tests.Scheduling;

public class CronScheduleTests
{
    // Weekdays used below: 2025-06-01 Sun, 06-13 Fri, 06-14 Sat, 06-16 Mon, 06-22 Sun,
    // 06-28 Sat, 06-30 Mon, 07-01 Tue; leap years after 2025: 2028, 2032, ... 2096, then 2104.
    [Theory]
    // Default nightly schedule: before, exactly at, and after 02:00.
    [InlineData("0 0 2 * * *", "2025-06-10T01:59:59Z", "2025-06-10T02:00:00Z")]
    [InlineData("0 0 2 * * *", "2025-06-10T01:59:59.999Z", "2025-06-10T02:00:00Z")]
    [InlineData("0 0 2 * * *", "2025-06-10T02:00:00Z", "2025-06-11T02:00:00Z")]
    [InlineData("0 0 2 * * *", "2025-06-10T02:00:00.500Z", "2025-06-11T02:00:00Z")]
    [InlineData("0 0 2 * * *", "2025-06-10T02:00:01Z", "2025-06-11T02:00:00Z")]
    [InlineData("0 0 2 * * *", "2025-06-30T23:00:00Z", "2025-07-01T02:00:00Z")]
    // Non-UTC input is converted first: 04:00+02:00 is 02:00Z.
    [InlineData("0 30 2 * * *", "2025-06-10T04:00:00+02:00", "2025-06-10T02:30:00Z")]
    // Every five minutes.
    [InlineData("0 */5 * * * *", "2025-06-10T10:02:30Z", "2025-06-10T10:05:00Z")]
    [InlineData("0 */5 * * * *", "2025-06-10T10:55:00Z", "2025-06-10T11:00:00Z")]
    [InlineData("0 */5 * * * *", "2025-06-10T23:59:00Z", "2025-06-11T00:00:00Z")]
    // Seconds.
    [InlineData("*/15 * * * * *", "2025-06-10T10:00:14Z", "2025-06-10T10:00:15Z")]
    [InlineData("*/15 * * * * *", "2025-06-10T10:00:45Z", "2025-06-10T10:01:00Z")]
    [InlineData("* * * * * *", "2025-06-10T10:00:00Z", "2025-06-10T10:00:01Z")]
    [InlineData("30 * * * * *", "2025-06-10T10:00:30Z", "2025-06-10T10:01:30Z")]
    // Ranges, lists, and a list mixing forms.
    [InlineData("0 0 9-17 * * *", "2025-06-10T12:30:00Z", "2025-06-10T13:00:00Z")]
    [InlineData("0 0 9-17 * * *", "2025-06-10T17:00:00Z", "2025-06-11T09:00:00Z")]
    [InlineData("0 15,45 * * * *", "2025-06-10T10:20:00Z", "2025-06-10T10:45:00Z")]
    [InlineData("0 15,45 * * * *", "2025-06-10T10:45:00Z", "2025-06-10T11:15:00Z")]
    [InlineData("0 0 1,5-6,20-22/2 * * *", "2025-06-10T06:00:00Z", "2025-06-10T20:00:00Z")]
    [InlineData("0 0 1,5-6,20-22/2 * * *", "2025-06-10T20:00:00Z", "2025-06-10T22:00:00Z")]
    // a-b/n and a/n (a/n runs to the field maximum).
    [InlineData("0 0 8-18/4 * * *", "2025-06-10T12:00:00Z", "2025-06-10T16:00:00Z")]
    [InlineData("0 0 8-18/4 * * *", "2025-06-10T16:00:00Z", "2025-06-11T08:00:00Z")]
    [InlineData("0 10/20 * * * *", "2025-06-10T10:30:00Z", "2025-06-10T10:50:00Z")]
    [InlineData("0 10/20 * * * *", "2025-06-10T10:50:00Z", "2025-06-10T11:10:00Z")]
    [InlineData("0 0 0 */10 * *", "2025-01-21T00:00:00Z", "2025-01-31T00:00:00Z")]
    [InlineData("0 0 0 */10 * *", "2025-01-31T00:00:00Z", "2025-02-01T00:00:00Z")]
    // Month-end rollover, and days that some months lack.
    [InlineData("0 0 12 * * *", "2025-01-31T12:00:00Z", "2025-02-01T12:00:00Z")]
    [InlineData("0 0 0 1 * *", "2025-01-31T23:59:59Z", "2025-02-01T00:00:00Z")]
    [InlineData("0 0 0 31 * *", "2025-01-31T00:00:00Z", "2025-03-31T00:00:00Z")]
    [InlineData("0 0 0 31 * *", "2025-03-31T00:00:00Z", "2025-05-31T00:00:00Z")]
    [InlineData("0 0 0 30 * *", "2025-01-30T00:00:00Z", "2025-03-30T00:00:00Z")]
    // Leap day, including the 2100 non-leap year.
    [InlineData("0 0 0 29 2 *", "2025-01-01T00:00:00Z", "2028-02-29T00:00:00Z")]
    [InlineData("0 0 0 29 2 *", "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z")]
    [InlineData("0 0 0 29 2 *", "2096-03-01T00:00:00Z", "2104-02-29T00:00:00Z")]
    [InlineData("0 0 0 * 2 *", "2024-02-28T00:00:00Z", "2024-02-29T00:00:00Z")]
    [InlineData("0 0 0 * 2 *", "2025-02-28T00:00:00Z", "2026-02-01T00:00:00Z")]
    // Year rollover.
    [InlineData("* * * * * *", "2025-12-31T23:59:59Z", "2026-01-01T00:00:00Z")]
    [InlineData("0 0 0 1 1 *", "2025-12-31T23:59:59Z", "2026-01-01T00:00:00Z")]
    [InlineData("59 59 23 31 12 *", "2025-12-31T23:59:59Z", "2026-12-31T23:59:59Z")]
    [InlineData("0 0 2 * * *", "2025-12-31T02:00:00Z", "2026-01-01T02:00:00Z")]
    // Weekday names, case-insensitive.
    [InlineData("0 0 9 * * MON-FRI", "2025-06-13T09:00:00Z", "2025-06-16T09:00:00Z")]
    [InlineData("0 0 9 * * mon-fri", "2025-06-14T12:00:00Z", "2025-06-16T09:00:00Z")]
    [InlineData("0 0 9 * * Tue,THU", "2025-06-16T10:00:00Z", "2025-06-17T09:00:00Z")]
    [InlineData("0 0 9 * * Tue,THU", "2025-06-17T09:00:00Z", "2025-06-19T09:00:00Z")]
    // Sunday as 0, 7, and SUN; 7 also as a range end.
    [InlineData("0 0 10 * * 0", "2025-06-16T00:00:00Z", "2025-06-22T10:00:00Z")]
    [InlineData("0 0 10 * * 7", "2025-06-16T00:00:00Z", "2025-06-22T10:00:00Z")]
    [InlineData("0 0 10 * * SUN", "2025-06-16T00:00:00Z", "2025-06-22T10:00:00Z")]
    [InlineData("0 0 10 * * 5-7", "2025-06-14T11:00:00Z", "2025-06-15T10:00:00Z")]
    [InlineData("0 0 10 * * 6,7", "2025-06-15T10:00:00Z", "2025-06-21T10:00:00Z")]
    // Day-of-week "a/n" stops at Saturday; it must not wrap onto Sunday via 7.
    [InlineData("0 0 10 * * 5/1", "2025-06-14T10:00:00Z", "2025-06-20T10:00:00Z")]
    // Both day fields restricted: both must match, as in NCrontab (the Functions host's parser).
    [InlineData("0 0 0 1 * MON", "2025-06-01T00:00:00Z", "2025-09-01T00:00:00Z")]
    [InlineData("0 0 0 1 * MON", "2025-06-28T00:00:00Z", "2025-09-01T00:00:00Z")]
    [InlineData("0 0 0 13 * FRI", "2025-06-01T00:00:00Z", "2025-06-13T00:00:00Z")]
    [InlineData("0 0 0 13 * FRI", "2025-06-13T00:00:00Z", "2026-02-13T00:00:00Z")]
    // Only one day field restricted: it alone decides.
    [InlineData("0 0 0 * * MON", "2025-06-01T00:00:00Z", "2025-06-02T00:00:00Z")]
    [InlineData("0 0 0 * * MON", "2025-06-02T00:00:00Z", "2025-06-09T00:00:00Z")]
    [InlineData("0 0 0 15 * *", "2025-06-01T00:00:00Z", "2025-06-15T00:00:00Z")]
    [InlineData("0 0 0 15 * *", "2025-06-15T00:00:00Z", "2025-07-15T00:00:00Z")]
    // Month names, case-insensitive, in lists and ranges.
    [InlineData("0 0 0 1 JAN,jul *", "2025-02-01T00:00:00Z", "2025-07-01T00:00:00Z")]
    [InlineData("0 0 0 1 JAN,jul *", "2025-07-01T00:00:00Z", "2026-01-01T00:00:00Z")]
    [InlineData("0 0 0 1 Mar-May *", "2025-05-01T00:00:00Z", "2026-03-01T00:00:00Z")]
    [InlineData("0 0 0 1 DEC *", "2025-06-10T00:00:00Z", "2025-12-01T00:00:00Z")]
    // Fields separated by runs of spaces and tabs.
    [InlineData("  0 \t0   2\t* * *  ", "2025-06-10T03:00:00Z", "2025-06-11T02:00:00Z")]
    public void GetNextOccurrence_ReturnsFirstMatchStrictlyAfter(string expression, string after, string expected)
    {
        var next = CronSchedule.Parse(expression).GetNextOccurrence(Instant(after));

        Assert.NotNull(next);
        Assert.Equal(Instant(expected), next.Value);
        Assert.Equal(TimeSpan.Zero, next.Value.Offset);
    }

    [Theory]
    // Field count.
    [InlineData("", "expected 6 fields but found 0")]
    [InlineData("   ", "expected 6 fields but found 0")]
    [InlineData("0 2 * * *", "expected 6 fields but found 5")]
    [InlineData("0 0 2 * * * *", "expected 6 fields but found 7")]
    // Out-of-range values in every field, both ends where the minimum is not zero.
    [InlineData("60 * * * * *", "second field: value 60 is out of range 0-59")]
    [InlineData("0 60 * * * *", "minute field: value 60 is out of range 0-59")]
    [InlineData("0 0 24 * * *", "hour field: value 24 is out of range 0-23")]
    [InlineData("0 0 0 0 * *", "day field: value 0 is out of range 1-31")]
    [InlineData("0 0 0 32 * *", "day field: value 32 is out of range 1-31")]
    [InlineData("0 0 0 * 0 *", "month field: value 0 is out of range 1-12")]
    [InlineData("0 0 0 * 13 *", "month field: value 13 is out of range 1-12")]
    [InlineData("0 0 0 * * 8", "day-of-week field: value 8 is out of range 0-7")]
    [InlineData("0 0 1-24 * * *", "hour field: value 24 is out of range 0-23")]
    [InlineData("0 0 0 * 1,2,13 *", "month field: value 13 is out of range 1-12")]
    // Bad steps.
    [InlineData("*/0 * * * * *", "second field: step must be a positive integer but was '0'")]
    [InlineData("0 */-5 * * * *", "minute field: step must be a positive integer but was '-5'")]
    [InlineData("0 */x * * * *", "minute field: step must be a positive integer but was 'x'")]
    [InlineData("0 0 */ * * *", "hour field: step must be a positive integer but was ''")]
    [InlineData("0 0 1-5/2/3 * * *", "hour field: step must be a positive integer but was '2/3'")]
    [InlineData("0 0 0 1/1.5 * *", "day field: step must be a positive integer but was '1.5'")]
    // Reversed ranges, including names and an open-ended step past the maximum.
    [InlineData("0 0 10-5 * * *", "hour field: range start 10 is after end 5")]
    [InlineData("0 0 0 * DEC-JAN *", "month field: range start 12 is after end 1")]
    [InlineData("0 0 0 * * FRI-MON", "day-of-week field: range start 5 is after end 1")]
    [InlineData("0 0 0 * * 7/1", "day-of-week field: range start 7 is after end 6")]
    // Empty list elements and missing range ends.
    [InlineData("0 1,,2 * * * *", "minute field: list has an empty element")]
    [InlineData("0 1, * * * *", "minute field: list has an empty element")]
    [InlineData("0 0 0 ,1 * *", "day field: list has an empty element")]
    [InlineData("0 5- * * * *", "minute field: a value is missing")]
    [InlineData("0 -5 * * * *", "minute field: a value is missing")]
    // Garbage characters, wrong-field names and malformed numbers.
    [InlineData("a * * * * *", "second field: 'a' is not a valid value")]
    [InlineData("0 0 2 * * #", "day-of-week field: '#' is not a valid value")]
    [InlineData("0 0 2 * FOO *", "month field: 'FOO' is not a valid value")]
    [InlineData("0 0 2 * * JAN", "day-of-week field: 'JAN' is not a valid value")]
    [InlineData("0 0 2 * MON *", "month field: 'MON' is not a valid value")]
    [InlineData("0 0 2 * * SUNDAY", "day-of-week field: 'SUNDAY' is not a valid value")]
    [InlineData("0 +5 * * * *", "minute field: '+5' is not a valid value")]
    [InlineData("0 0 1.5 * * *", "hour field: '1.5' is not a valid value")]
    [InlineData("0 0 99999999999 * * *", "hour field: '99999999999' is not a valid value")]
    [InlineData("0 0 *-5 * * *", "hour field: '*' is not a valid value")]
    [InlineData("0 0 1-2-3 * * *", "hour field: '2-3' is not a valid value")]
    [InlineData("0 0 2 L * *", "day field: 'L' is not a valid value")]
    [InlineData("0 0 2 ? * *", "day field: '?' is not a valid value")]
    public void InvalidExpression_IsRejectedWithFieldAndRule(string expression, string expectedMessagePart)
    {
        var exception = Assert.Throws<FormatException>(() => CronSchedule.Parse(expression));
        Assert.Contains(expectedMessagePart, exception.Message, StringComparison.Ordinal);

        Assert.False(CronSchedule.TryParse(expression, out var schedule, out var error));
        Assert.Null(schedule);
        Assert.Equal(exception.Message, error);
    }

    [Fact]
    public void TryParse_NullExpression_ReportsMissingFields()
    {
        Assert.False(CronSchedule.TryParse(null!, out _, out var error));
        Assert.Contains("expected 6 fields but found 0", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_ValidExpression_ReturnsScheduleAndNoError()
    {
        Assert.True(CronSchedule.TryParse("0 0 2 * * *", out var schedule, out var error));
        Assert.NotNull(schedule);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("0 0 0 30 2 *")]
    [InlineData("0 0 0 31 2,4,6,9,11 *")]
    [InlineData("0 0 0 31 APR *")]
    public void ImpossibleSchedule_HasNoNextOccurrence(string expression)
    {
        Assert.Null(CronSchedule.Parse(expression).GetNextOccurrence(Instant("2025-01-01T00:00:00Z")));
    }

    [Fact]
    public void NextOccurrence_NearEndOfTime_ReturnsNullInsteadOfOverflowing()
    {
        var schedule = CronSchedule.Parse("* * * * * *");

        Assert.Null(schedule.GetNextOccurrence(DateTimeOffset.MaxValue));
        Assert.Equal(Instant("9999-12-31T23:59:59Z"), schedule.GetNextOccurrence(Instant("9999-12-31T23:59:58Z")));
    }

    [Theory]
    [InlineData("0 0 2 * * *")]
    [InlineData("*/15 0-30/5 9-17 1,15 JAN-jun mon-FRI")]
    [InlineData("  0 \t0   2\t* * *  ")]
    public void ToString_ReturnsOriginalExpression(string expression)
    {
        var schedule = CronSchedule.Parse(expression);

        Assert.Equal(expression, schedule.ToString());
        var after = Instant("2025-06-10T00:00:00Z");
        Assert.Equal(schedule.GetNextOccurrence(after), CronSchedule.Parse(schedule.ToString()).GetNextOccurrence(after));
    }

    private static DateTimeOffset Instant(string iso8601) =>
        DateTimeOffset.Parse(iso8601, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
