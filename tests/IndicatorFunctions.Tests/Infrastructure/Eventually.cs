namespace IndicatorFunctions.Tests.Infrastructure;

/// <summary>Waits on a condition, polling, with a generous deadline: tests wait on what happens, not on time.</summary>
public static class Eventually
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    public static async Task TrueAsync(Func<bool> condition, string what) =>
        await ValueAsync(() => Task.FromResult(condition() ? (object?)true : null), what);

    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, string what) where T : struct
    {
        var until = DateTime.UtcNow + Deadline;
        while (true)
        {
            if (await probe() is { } value)
                return value;
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"Waited {Deadline.TotalSeconds:0} s for: {what}");
            await Task.Delay(100);
        }
    }

    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, string what) where T : class
    {
        var until = DateTime.UtcNow + Deadline;
        while (true)
        {
            if (await probe() is { } value)
                return value;
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"Waited {Deadline.TotalSeconds:0} s for: {what}");
            await Task.Delay(100);
        }
    }
}
