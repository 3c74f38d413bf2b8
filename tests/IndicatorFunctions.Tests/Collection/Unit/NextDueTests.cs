using System.Globalization;
using IndicatorFunctions.Collection;
using IndicatorFunctions.Scheduling;
using NCrontab;

namespace IndicatorFunctions.Tests.Collection.Unit;

public sealed class NextDueTests
{
    private static readonly CrontabSchedule Monthly = Schedules.Parse("0 0 2 5 * *"); // the 5th, 02:00 UTC

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    /// <summary>The Collector's reading: a scheduled source is skipped while its next due time is after now.</summary>
    private static bool IsDue(CrontabSchedule? schedule, DateTimeOffset? lastSuccess, DateTimeOffset now) =>
        Collector.NextDue(schedule, lastSuccess) is not { } next || next <= now;

    [Fact]
    public void No_schedule_is_due_now()
    {
        Assert.Null(Collector.NextDue(null, At("2025-06-05T02:00:00Z")));
        Assert.Null(Collector.NextDue(null, null));
    }

    [Fact]
    public void Never_collected_is_due_now_whatever_the_schedule()
    {
        // A new source is collected by the first run, not held back until its schedule first fires.
        Assert.Null(Collector.NextDue(Monthly, null));
    }

    [Theory]
    [InlineData("2025-06-01T00:00:00Z", "2025-06-05T02:00:00Z")] // earlier in the month
    [InlineData("2025-06-05T01:59:59Z", "2025-06-05T02:00:00Z")] // just before
    [InlineData("2025-06-05T02:00:00Z", "2025-07-05T02:00:00Z")] // at the occurrence: the next one
    [InlineData("2025-06-05T02:00:00.250Z", "2025-07-05T02:00:00Z")] // a run's clock reads a little after
    [InlineData("2025-06-05T02:03:17Z", "2025-07-05T02:00:00Z")]
    [InlineData("2025-06-20T02:00:00Z", "2025-07-05T02:00:00Z")] // collected by hand mid-month
    [InlineData("2025-12-10T02:00:00Z", "2026-01-05T02:00:00Z")] // year rollover
    [InlineData("2025-02-05T02:00:00Z", "2025-03-05T02:00:00Z")] // short month
    [InlineData("2025-06-05T04:00:00+08:00", "2025-06-05T02:00:00Z")] // 20:00Z on the 4th
    [InlineData("2025-06-05T10:00:00+08:00", "2025-07-05T02:00:00Z")] // 02:00Z on the 5th
    public void Monthly_schedule_is_next_due_on_the_following_5th_at_2_utc(string lastSuccess, string expected)
    {
        var next = Collector.NextDue(Monthly, At(lastSuccess));

        Assert.Equal(At(expected), next);
        Assert.Equal(TimeSpan.Zero, next!.Value.Offset);
    }

    [Theory]
    [InlineData("2025-07-05T01:59:59.999Z", false)] // a hair before: skipped
    [InlineData("2025-07-05T02:00:00Z", true)] // exactly at the occurrence: due
    [InlineData("2025-07-05T02:00:00.300Z", true)] // the nightly run a moment later
    [InlineData("2025-07-06T02:00:00Z", true)] // a missed run is caught up the next night
    [InlineData("2025-08-30T02:00:00Z", true)] // and stays due until collected
    [InlineData("2025-06-06T02:00:00Z", false)] // the night after a success
    [InlineData("2025-07-04T02:00:00Z", false)]
    public void Source_collected_on_june_5th_is_due_from_july_5th_at_2(string now, bool due)
    {
        Assert.Equal(due, IsDue(Monthly, At("2025-06-05T02:00:00.120Z"), At(now)));
    }

    [Fact]
    public void Source_that_failed_keeps_being_due_until_it_succeeds()
    {
        // LastSuccessAt moves only on success, so a failure on the 5th leaves the 5th's occurrence due on the 6th.
        var lastSuccess = At("2025-05-05T02:00:00Z");

        Assert.True(IsDue(Monthly, lastSuccess, At("2025-06-05T02:00:00Z")));
        Assert.True(IsDue(Monthly, lastSuccess, At("2025-06-06T02:00:00Z")));
    }

    [Fact]
    public void Schedule_that_never_fires_again_is_never_due()
    {
        var never = Schedules.Parse("0 0 0 30 2 *"); // 30 February

        Assert.Equal(DateTimeOffset.MaxValue, Collector.NextDue(never, At("2025-01-01T00:00:00Z")));
        Assert.False(IsDue(never, At("2025-01-01T00:00:00Z"), At("2099-01-01T00:00:00Z")));
    }
}
