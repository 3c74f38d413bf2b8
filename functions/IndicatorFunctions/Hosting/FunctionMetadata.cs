using System.Text.Json;
using System.Text.RegularExpressions;
using IndicatorFunctions.Scheduling;

namespace IndicatorFunctions.Hosting;

/// <summary>A timer trigger as declared in a function folder's <c>function.json</c>, its schedule resolved from settings.</summary>
public sealed record TimerTrigger(string FunctionName, string BindingName, CronSchedule Schedule, bool RunOnStartup);

/// <summary>
/// Reads the function folders beside the executable — the same <c>function.json</c> files the host reads — so the
/// standalone scheduler and the host agree on names, bindings and schedules.
/// </summary>
public static partial class FunctionMetadata
{
    /// <summary>Default values for settings a schedule refers to, used when the setting is absent.</summary>
    public static readonly IReadOnlyDictionary<string, string> ScheduleDefaults = new Dictionary<string, string>
    {
        ["AggregationSchedule"] = "0 0 2 * * *",
    };

    public static IReadOnlyList<TimerTrigger> ReadTimerTriggers(string appRoot, IConfiguration configuration)
    {
        var triggers = new List<TimerTrigger>();
        foreach (var file in Directory.EnumerateFiles(appRoot, "function.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var functionName = Path.GetFileName(Path.GetDirectoryName(file))!;
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var binding in json.RootElement.GetProperty("bindings").EnumerateArray())
            {
                if (binding.GetProperty("type").GetString() != "timerTrigger")
                    continue;
                var raw = binding.GetProperty("schedule").GetString()!;
                var expression = ResolveSettings(raw, configuration);
                if (!CronSchedule.TryParse(expression, out var schedule, out var error))
                    throw new InvalidOperationException($"{functionName}: schedule '{raw}' = '{expression}' is invalid: {error}");
                var runOnStartup = binding.TryGetProperty("runOnStartup", out var r) && r.GetBoolean();
                triggers.Add(new TimerTrigger(functionName, binding.GetProperty("name").GetString()!, schedule, runOnStartup));
            }
        }
        return triggers;
    }

    /// <summary>Replaces <c>%Setting%</c> with the setting's value, as the host does for binding expressions.</summary>
    public static string ResolveSettings(string value, IConfiguration configuration) =>
        SettingReference().Replace(value, m =>
        {
            var name = m.Groups[1].Value;
            return configuration[name] is { Length: > 0 } v ? v
                : ScheduleDefaults.TryGetValue(name, out var d) ? d
                : throw new InvalidOperationException($"Setting {name} is referenced by a function.json but is not set.");
        });

    /// <summary><c>AzureWebJobs.{name}.Disabled</c> = true turns a function off, as on the host.</summary>
    public static bool IsDisabled(string functionName, IConfiguration configuration) =>
        string.Equals(configuration[$"AzureWebJobs.{functionName}.Disabled"] ?? configuration[$"AzureWebJobs:{functionName}:Disabled"], "true", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex("%([A-Za-z0-9_.:]+)%")]
    private static partial Regex SettingReference();
}
