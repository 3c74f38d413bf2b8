using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Catalog;
using IndicatorFunctions.Data;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Ingestion;
using IndicatorFunctions.Samples;

namespace IndicatorFunctions.Bench;

/// <summary>
/// The steps of scripts/bench-pipeline.sh against a running app, each printing one JSON line:
/// <c>load</c> (synthetic catalog + observations through the HTTP API), <c>revise</c> (1% of the points again with
/// new values), <c>revise-one</c> (one point), <c>run-full</c> / <c>run-incremental</c> (<c>POST /api/runs?wait=true</c>,
/// timed, with the app's peak memory, the CPU the app and Azurite used meanwhile and the run's counters from the run
/// ledger), <c>cold-reads</c> (the first read of a few partitions per read endpoint after a run committed) and
/// <c>raw-read</c> (the same partitions straight from storage: <see cref="TableReadBenchmark"/>).
/// Environment: BENCH_APP_URL, BENCH_ADMIN_KEY, BENCH_APP_PID, BENCH_AZURITE_PID; the data set from BENCH_SEED,
/// BENCH_DISTRICTS, BENCH_YEARS, BENCH_SECTORS and BENCH_OBSERVATIONS (indicators = observations / series length
/// per indicator, so two sizes differ only in their number of indicators); BENCH_BODY_ROWS (≤ 5000);
/// BENCH_RUN_ID (cold-reads: the run the reads must name), BENCH_COLD_SAMPLES (5).
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
            "revise-one" => await ReviseOneAsync(http, data),
            "run-full" => await RunAsync(http, full: true),
            "run-incremental" => await RunAsync(http, full: false),
            "cold-reads" => await ColdReadsAsync(http, data),
            "raw-read" => await TableReadBenchmark.RunAsync(data),
            _ => null,
        };
        if (result is null)
        {
            Console.Error.WriteLine("usage: IndicatorFunctions.Bench pipeline load|revise|revise-one|run-full|run-incremental|cold-reads|raw-read");
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

    /// <summary>
    /// Every 100th point again, 5% higher (BENCH_REVISE_PERCENT: another rise, so a second revise revises again): each
    /// one a revision the next incremental run must aggregate.
    /// </summary>
    private static async Task<JsonObject> ReviseAsync(HttpClient http, SyntheticData data)
    {
        var factor = 1 + Int("BENCH_REVISE_PERCENT", 5) / 100.0;
        var revisions = data.Observations().Where(o => o.Row % 100 == 0).Select(o => o with { Value = Math.Round(o.Value!.Value * factor, 2) }).ToList();
        var watch = Stopwatch.StartNew();
        var revised = 0;
        foreach (var body in revisions.Chunk(BodyRows()))
            revised += (await PostObservationsAsync(http, body))["revised"]!.GetValue<int>();
        if (revised != revisions.Count)
            throw new InvalidOperationException($"the app revised {revised} of {revisions.Count} points");
        return new JsonObject { ["step"] = "revise", ["revised"] = revised, ["seconds"] = Math.Round(watch.Elapsed.TotalSeconds, 2) };
    }

    /// <summary>One point in the middle of the data, 7% higher: the smallest change an incremental run can have.</summary>
    private static async Task<JsonObject> ReviseOneAsync(HttpClient http, SyntheticData data)
    {
        var row = data.Count / 2 + 1; // not a multiple of 100 when the data's half is: not among the 1% revise's points
        var point = data.Observations().First(o => o.Row == row);
        var watch = Stopwatch.StartNew();
        var revised = (await PostObservationsAsync(http, [point with { Value = Math.Round(point.Value!.Value * 1.07, 2) }]))["revised"]!.GetValue<int>();
        if (revised != 1)
            throw new InvalidOperationException($"the app revised {revised} points, expected 1");
        return new JsonObject
        {
            ["step"] = "revise-one",
            ["revised"] = revised,
            ["point"] = $"{point.Indicator}/{point.District}/{point.Sector ?? "total"}/{point.Period}",
            ["seconds"] = Math.Round(watch.Elapsed.TotalSeconds, 3),
        };
    }

    private static async Task<JsonObject> RunAsync(HttpClient http, bool full)
    {
        var appPid = Int("BENCH_APP_PID", 0);
        var azuritePid = Int("BENCH_AZURITE_PID", 0);
        var rssBefore = ProcStatusKb(appPid, "VmRSS");
        // Writing 5 to clear_refs resets VmHWM (the kernel's peak RSS) to the current RSS: VmHWM then is this run's peak.
        var hwmReset = TryResetPeak(appPid);
        var (appCpu, azuriteCpu) = (ProcessCpu.Seconds(appPid), ProcessCpu.Seconds(azuritePid));
        var gc = GcWatch.TryStart(appPid);
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

        // The wall time is the app's: this process's first request (its connection, and compiling its HTTP and JSON
        // code) is made before the clock starts, and the body is ready-made text.
        using (var warm = await http.GetAsync("/api/health"))
            warm.EnsureSuccessStatusCode();
        using var body = new StringContent(full ? """{"full":true}""" : """{"full":false}""", System.Text.Encoding.UTF8, "application/json");
        var watch = Stopwatch.StartNew();
        using var response = await http.PostAsync("/api/runs?wait=true", body);
        var wall = watch.Elapsed.TotalSeconds;
        await stopSampling.CancelAsync();
        var sampledPeak = await sampler;
        if (gc is not null)
            await gc.DisposeAsync();
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST /api/runs -> {(int)response.StatusCode}: {text}");
        var runId = JsonNode.Parse(text)!["id"]!.GetValue<string>();
        var run = await LedgerAsync(http, runId);
        var (growth, rollups, durationMs) = (Long(run, "growthWritten"), Long(run, "rollupsWritten"), Long(run, "durationMs"));
        var (entities, entitiesFrom) = EntitiesWritten(run);
        var hwm = ProcStatusKb(appPid, "VmHWM");
        var peak = Math.Max(sampledPeak, hwmReset ? hwm ?? 0 : 0);
        return new JsonObject
        {
            ["step"] = full ? "run-full" : "run-incremental",
            ["runId"] = runId,
            ["status"] = run["status"]?.GetValue<string>(),
            ["full"] = run["full"]?.GetValue<bool>(),
            ["errors"] = run["errors"]?.DeepClone(),
            ["wallSeconds"] = Math.Round(wall, 3),
            ["durationMs"] = durationMs,
            ["observationsRead"] = Long(run, "observationsRead"),
            ["growthWritten"] = growth,
            ["rollupsWritten"] = rollups,
            ["entitiesWritten"] = entities,
            ["entitiesFrom"] = entitiesFrom,
            ["entitiesPerSecond"] = durationMs > 0 ? Math.Round(entities / (durationMs / 1000.0)) : 0,
            ["rssBeforeMb"] = Mb(rssBefore),
            ["peakRssMb"] = Mb(peak),
            ["peakFrom"] = hwmReset ? "VmHWM after reset, and 20 ms samples" : "20 ms samples of VmRSS",
            ["peakLiveHeapMb"] = gc is { FullCollections: > 0 } ? Math.Round(gc.PeakAfterFull / 1048576.0, 1) : null,
            ["gcCollections"] = gc?.Collections,
            ["gcFullCollections"] = gc?.FullCollections,
            ["appCpuSeconds"] = Math.Round(ProcessCpu.Seconds(appPid) - appCpu, 2),
            ["azuriteCpuSeconds"] = Math.Round(ProcessCpu.Seconds(azuritePid) - azuriteCpu, 2),
        };
    }

    /// <summary>The run as the run ledger recorded it (<c>GET /api/runs/{id}</c> with the admin key: every counter).</summary>
    private static async Task<JsonObject> LedgerAsync(HttpClient http, string runId)
    {
        using var response = await http.GetAsync($"/api/runs/{runId}");
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"GET /api/runs/{runId} -> {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Entities the run wrote, from the ledger's counters (series and cross-section records, rollup records), and the counters it came from.</summary>
    internal static (long Count, string From) EntitiesWritten(JsonObject run) =>
        (Long(run, "growthWritten") + Long(run, "rollupsWritten"), "growthWritten rollupsWritten");

    /// <summary>
    /// The partitions the benchmark reads per endpoint: the <paramref name="k"/>-th indicator's series of the first
    /// district (total), its cross-section in the last period, and its rollups in the first cluster — with the table
    /// and partition key each is stored under in a generation (the app's own layout), for the raw read.
    /// </summary>
    internal static ReadTarget[] Targets(SyntheticData data, int k)
    {
        var (indicator, district, cluster, last) = (data.Indicators[k].Id, data.Districts[0].Id, data.Clusters[0].Id, data.Periods[^1]);
        return
        [
            new("series", $"/api/districts/{district}/indicators/{indicator}/series",
                RecordKey.Of(new SeriesKey(indicator, district, Slug.TotalSector))),
            new("crossSection", $"/api/indicators/{indicator}/periods/{last}",
                RecordKey.Of(new CrossSectionKey(indicator, Slug.TotalSector, last))),
            new("rollups", $"/api/clusters/{cluster}/indicators/{indicator}/rollups",
                RecordKey.Of(new RollupKey(cluster, indicator))),
        ];
    }

    /// <summary>
    /// Right after a run committed (nothing read since), the first read of BENCH_COLD_SAMPLES partitions per endpoint
    /// (one per indicator: each is a first read, not served by the read cache), timed one after another; every answer
    /// must be a 200 naming BENCH_RUN_ID. Prints the samples in ms, space-separated per endpoint.
    /// </summary>
    private static async Task<JsonObject> ColdReadsAsync(HttpClient http, SyntheticData data)
    {
        var runId = Env("BENCH_RUN_ID", "");
        var samples = Math.Min(Int("BENCH_COLD_SAMPLES", 5), data.Indicators.Count);
        using (var warm = await http.GetAsync("/api/health")) { } // the client's connection and JIT, not the read
        var result = new JsonObject { ["step"] = "cold-reads", ["runId"] = runId, ["samples"] = samples };
        var timings = new Dictionary<string, List<double>>();
        for (var k = 0; k < samples; k++)
        {
            foreach (var target in Targets(data, k))
            {
                var watch = Stopwatch.StartNew();
                using var response = await http.GetAsync(target.Path);
                var text = await response.Content.ReadAsStringAsync();
                var ms = watch.Elapsed.TotalMilliseconds;
                if (!response.IsSuccessStatusCode || JsonNode.Parse(text)?["runId"]?.GetValue<string>() != runId)
                    throw new InvalidOperationException($"GET {target.Path} -> {(int)response.StatusCode}, expected 200 from run {runId}: {text[..Math.Min(text.Length, 500)]}");
                (timings.TryGetValue(target.Endpoint, out var list) ? list : timings[target.Endpoint] = []).Add(Math.Round(ms, 2));
            }
        }
        foreach (var (endpoint, list) in timings)
            result[endpoint + "Ms"] = string.Join(' ', list.Select(v => v.ToString(CultureInfo.InvariantCulture)));
        return result;
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

    internal static int Int(string name, int fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    internal static string Env(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;
}

/// <summary>One read endpoint's URL for a record, and the record's key in a generation's table.</summary>
internal sealed record ReadTarget(string Endpoint, string Path, RecordKey Record);
