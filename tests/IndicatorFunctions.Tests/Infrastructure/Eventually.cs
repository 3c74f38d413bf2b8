namespace IndicatorFunctions.Tests.Infrastructure;

/// <summary>Waits on a condition, polling, with a generous deadline: tests wait on what happens, not on time.</summary>
public static class Eventually
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    public static Task TrueAsync(Func<bool> condition, string what) =>
        UntilAsync(() => Task.FromResult((condition(), true)), what);

    /// <summary>Polls <paramref name="probe"/> until it says done, and returns the value it gave then.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<(bool Done, T Value)>> probe, string what)
    {
        var until = DateTime.UtcNow + Deadline;
        while (true)
        {
            var (done, value) = await probe();
            if (done)
                return value;
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"Waited {Deadline.TotalSeconds:0} s for: {what}");
            await Task.Delay(100);
        }
    }
}
