using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using IndicatorFunctions.Catalog;
using IndicatorFunctions.Ingestion;
using IndicatorFunctions.Samples;

namespace IndicatorFunctions.Bench;

/// <summary>
/// The steps of scripts/bench-pipeline.sh against a running app, each printing one JSON line:
/// <c>load</c> (synthetic catalog + observations through the HTTP API), <c>revise</c> (1% of the points again with
/// new values), <c>run-full</c> / <c>run-incremental</c> (<c>POST /api/runs?wait=true</c>, timed, with the app's
/// peak memory and the CPU the app and Azurite used meanwhile).
/// Environment: BENCH_APP_URL, BENCH_ADMIN_KEY, BENCH_APP_PID, BENCH_AZURITE_PID; the data set from BENCH_SEED,
/// BENCH_DISTRICTS, BENCH_YEARS, BENCH_SECTORS and BENCH_OBSERVATIONS (indicators = observations / series length
/// per indicator, so two sizes differ only in their number of indicators); BENCH_BODY_ROWS (≤ 5000).
/// </summary>
public static class PipelineBenchmark
{
    public static async Task<int> RunAsync(string? step)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Env("BENCH_APP_URL", "http://127.0.0.1:7071")), Timeout = TimeSpan.FromHours(2) };
        http.DefaultRequestHeaders.Add("x-functions-key", Env("BENCH_ADMIN_KEY", "bench"));
        var data = DataSet();
        var result = step switch
        {
            "load" => await LoadAsync(http, data),
            "revise" => await ReviseAsync(http, data),
            "run-full" => await RunAsync(http, full: true),
            "run-incremental" => await RunAsync(http, full: false),
            _ => null,
        };
        if (result is null)
        {
            Console.Error.WriteLine("usage: IndicatorFunctions.Bench pipeline load|revise|run-full|run-incremental");
            return 2;
        }
        Console.WriteLine(result.ToJsonString());
        return 0;
    }

    public static SyntheticData DataSet()
    {
        int districts = Int("BENCH_DISTRICTS", 50), years = Int("BENCH_YEARS", 20), sectors = Int("BENCH_SECTORS", 1);
        var perIndicator = districts * (1 + sectors) * years;
        var indicators = Math.Max(1, (int)Math.Round((double)Int("BENCH_OBSERVATIONS", 100_000) / perIndicator));
        return SyntheticData.Create(Int("BENCH_SEED", 42), districts, indicators, years, sectorsPerDistrict: sectors);
    }

    private static async Task<JsonObject> LoadAsync(HttpClient http, SyntheticData data)
    {
        var watch = Stopwatch.StartNew();
        await PutAllAsync(http, data.Indicators.Select(i => ($"/api/indicators/{i.Id}", (object)i)));
        await PutAllAsync(http, data.Districts.Select(d => ($"/api/districts/{d.Id}", (object)d)));
        await PutAllAsync(http, data.Clusters.Select(c => ($"/api/clusters/{c.Id}", (object)c)));
        var catalogSeconds = watch.Elapsed.TotalSeconds;

        watch.Restart();
        var (accepted, inserted) = (0, 0);
        foreach (var body in data.Observations().Chunk(BodyRows()))
        {
            var reply = await PostObservationsAsync(http, body);
            accepted += reply["accepted"]!.GetValue<int>();
            inserted += reply["inserted"]!.GetValue<int>();
        }
        var seconds = watch.Elapsed.TotalSeconds;
        if (accepted != data.Count)
            throw new InvalidOperationException($"the app accepted {accepted} of {data.Count} observations");
        return new JsonObject
        {
            ["step"] = "load",
            ["observations"] = data.Count,
            ["inserted"] = inserted,
            ["indicators"] = data.Indicators.Count,
            ["districts"] = data.Districts.Count,
            ["sectors"] = data.Sectors.Count,
            ["periods"] = data.Periods.Count,
            ["clusters"] = data.Clusters.Count,
            ["catalogSeconds"] = Math.Round(catalogSeconds, 2),
            ["ingestSeconds"] = Math.Round(seconds, 2),
            ["observationsPerSecond"] = Math.Round(data.Count / seconds),
        };
    }

    /// <summary>Every 100th point again, 5% higher: each one a revision the next incremental run must aggregate.</summary>
    private static async Task<JsonObject> ReviseAsync(HttpClient http, SyntheticData data)
    {
        var revisions = data.Observations().Where(o => o.Row % 100 == 0).Select(o => o with { Value = Math.Round(o.Value!.Value * 1.05, 2) }).ToList();
        var watch = Stopwatch.StartNew();
        var revised = 0;
        foreach (var body in revisions.Chunk(BodyRows()))
            revised += (await PostObservationsAsync(http, body))["revised"]!.GetValue<int>();
        if (revised != revisions.Count)
            throw new InvalidOperationException($"the app revised {revised} of {revisions.Count} points");
        return new JsonObject { ["step"] = "revise", ["revised"] = revised, ["seconds"] = Math.Round(watch.Elapsed.TotalSeconds, 2) };
    }

    private static async Task<JsonObject> RunAsync(HttpClient http, bool full)
    {
        var appPid = Int("BENCH_APP_PID", 0);
        var azuritePid = Int("BENCH_AZURITE_PID", 0);
        var rssBefore = ProcStatusKb(appPid, "VmRSS");
        // Writing 5 to clear_refs resets VmHWM (the kernel's peak RSS) to the current RSS: VmHWM then is this run's peak.
        var hwmReset = TryResetPeak(appPid);
        var (appCpu, azuriteCpu) = (ProcessCpu.Seconds(appPid), ProcessCpu.Seconds(azuritePid));
        using var stopSampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            long max = 0;
            while (!stopSampling.IsCancellationRequested)
            {
                max = Math.Max(max, ProcStatusKb(appPid, "VmRSS") ?? 0);
                try { await Task.Delay(20, stopSampling.Token); } catch (OperationCanceledException) { }
            }
            return max;
        });

        var watch = Stopwatch.StartNew();
        using var response = await http.PostAsJsonAsync("/api/runs?wait=true", new { full });
        var wall = watch.Elapsed.TotalSeconds;
        await stopSampling.CancelAsync();
        var sampledPeak = await sampler;
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST /api/runs -> {(int)response.StatusCode}: {text}");
        var run = JsonNode.Parse(text)!.AsObject();
        var (growth, rollups, durationMs) = (Long(run, "growthWritten"), Long(run, "rollupsWritten"), Long(run, "durationMs"));
        var hwm = ProcStatusKb(appPid, "VmHWM");
        var peak = Math.Max(sampledPeak, hwmReset ? hwm ?? 0 : 0);
        return new JsonObject
        {
            ["step"] = full ? "run-full" : "run-incremental",
            ["status"] = run["status"]?.GetValue<string>(),
            ["full"] = run["full"]?.GetValue<bool>(),
            ["errors"] = run["errors"]?.DeepClone(),
            ["wallSeconds"] = Math.Round(wall, 3),
            ["durationMs"] = durationMs,
            ["observationsRead"] = Long(run, "observationsRead"),
            ["growthWritten"] = growth,
            ["rollupsWritten"] = rollups,
            ["entitiesPerSecond"] = durationMs > 0 ? Math.Round((growth + rollups) / (durationMs / 1000.0)) : 0,
            ["rssBeforeMb"] = Mb(rssBefore),
            ["peakRssMb"] = Mb(peak),
            ["peakFrom"] = hwmReset ? "VmHWM after reset, and 20 ms samples" : "20 ms samples of VmRSS",
            ["appCpuSeconds"] = Math.Round(ProcessCpu.Seconds(appPid) - appCpu, 2),
            ["azuriteCpuSeconds"] = Math.Round(ProcessCpu.Seconds(azuritePid) - azuriteCpu, 2),
        };
    }

    internal static async Task PutAllAsync(HttpClient http, IEnumerable<(string Path, object Body)> entries)
    {
        // A few at a time: the catalog is hundreds of small entries, not the figure being measured.
        await Parallel.ForEachAsync(entries, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (entry, ct) =>
        {
            using var content = JsonContent.Create(entry.Body, entry.Body.GetType(), options: IndicatorFunctions.Json.Options);
            using var response = await http.PutAsync(entry.Path, content, ct);
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"PUT {entry.Path} -> {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        });
    }

    internal static async Task<JsonObject> PostObservationsAsync(HttpClient http, IReadOnlyList<ObservationInput> rows)
    {
        using var content = new ByteArrayContent(SyntheticData.ToJsonBody(rows));
        content.Headers.ContentType = new("application/json");
        using var response = await http.PostAsync("/api/observations", content);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST /api/observations -> {(int)response.StatusCode}: {text[..Math.Min(text.Length, 2000)]}");
        var reply = JsonNode.Parse(text)!.AsObject();
        if (reply["rejected"]!.GetValue<int>() > 0)
            throw new InvalidOperationException($"POST /api/observations rejected rows: {text[..Math.Min(text.Length, 2000)]}");
        return reply;
    }

    internal static int BodyRows() => Math.Clamp(Int("BENCH_BODY_ROWS", 5000), 1, 5000);

    private static long? ProcStatusKb(int pid, string field)
    {
        if (pid <= 0)
            return null;
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool TryResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }


    private static double? Mb(long? kb) => kb is { } k ? Math.Round(k / 1024.0, 1) : null;

    private static long Long(JsonObject o, string name) => o[name]?.GetValue<long>() ?? 0;

    private static int Int(string name, int fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    private static string Env(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;
}
