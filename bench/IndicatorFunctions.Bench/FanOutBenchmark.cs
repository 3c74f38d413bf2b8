using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace IndicatorFunctions.Bench;

/// <summary>
/// The run step of scripts/bench-fanout.sh: one full run (<c>POST /api/runs?wait=true {"full":true}</c>) on the
/// coordinator (BENCH_APP_URL), timed, with each worker's share of it from the run ledger (items, observations,
/// busy time), and the CPU that every app process (BENCH_APP_PIDS, comma-separated) and Azurite (BENCH_AZURITE_PID)
/// used meanwhile. Prints one JSON line. The data is loaded beforehand with <c>pipeline load</c>.
/// </summary>
public static class FanOutBenchmark
{
    public static async Task<int> RunAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Environment.GetEnvironmentVariable("BENCH_APP_URL") ?? "http://127.0.0.1:7071"), Timeout = TimeSpan.FromHours(2) };
        http.DefaultRequestHeaders.Add("x-functions-key", Environment.GetEnvironmentVariable("BENCH_ADMIN_KEY") ?? "bench");
        var apps = (Environment.GetEnvironmentVariable("BENCH_APP_PIDS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToList();
        var azurite = int.TryParse(Environment.GetEnvironmentVariable("BENCH_AZURITE_PID"), CultureInfo.InvariantCulture, out var a) ? a : 0;
        var cpuBefore = apps.ToDictionary(p => p, ProcessCpu.Seconds);
        var azuriteBefore = ProcessCpu.Seconds(azurite);

        var watch = Stopwatch.StartNew();
        using var response = await http.PostAsJsonAsync("/api/runs?wait=true", new { full = true });
        var wall = watch.Elapsed.TotalSeconds;
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST /api/runs -> {(int)response.StatusCode}: {text}");
        var run = JsonNode.Parse(text)!.AsObject();
        var workers = new JsonArray();
        foreach (var w in run["fanOut"]?["workers"]?.AsArray() ?? [])
        {
            var id = w!["worker"]!.GetValue<string>();
            // The worker id is instance/process/tag: the process is the app process that did the items.
            var pid = int.TryParse(id.Split('/').ElementAtOrDefault(1), CultureInfo.InvariantCulture, out var p) ? p : 0;
            workers.Add(new JsonObject
            {
                ["worker"] = id,
                ["coordinator"] = apps.Count > 0 && pid == apps[0],
                ["items"] = w["items"]!.GetValue<int>(),
                ["observationsRead"] = w["observationsRead"]!.GetValue<long>(),
                ["busySeconds"] = Math.Round(w["busyMs"]!.GetValue<long>() / 1000.0, 2),
                ["cpuSeconds"] = cpuBefore.ContainsKey(pid) ? Math.Round(ProcessCpu.Seconds(pid) - cpuBefore[pid], 2) : null,
            });
        }
        var durationMs = run["durationMs"]?.GetValue<long>() ?? 0;
        var entities = (run["growthWritten"]?.GetValue<long>() ?? 0) + (run["rollupsWritten"]?.GetValue<long>() ?? 0);
        Console.WriteLine(new JsonObject
        {
            ["step"] = "fanout-run",
            ["status"] = run["status"]?.GetValue<string>(),
            ["errors"] = run["errors"]?.DeepClone(),
            ["processes"] = apps.Count,
            ["wallSeconds"] = Math.Round(wall, 2),
            ["durationMs"] = durationMs,
            ["observationsRead"] = run["observationsRead"]?.GetValue<long>(),
            ["entitiesWritten"] = entities,
            ["entitiesPerSecond"] = durationMs > 0 ? Math.Round(entities / (durationMs / 1000.0)) : 0,
            ["items"] = run["fanOut"]?["items"]?.GetValue<int>() ?? 0,
            ["workers"] = workers,
            ["appCpuSeconds"] = Math.Round(apps.Sum(p => ProcessCpu.Seconds(p) - cpuBefore[p]), 2),
            ["azuriteCpuSeconds"] = Math.Round(ProcessCpu.Seconds(azurite) - azuriteBefore, 2),
        }.ToJsonString());
        return 0;
    }
}
