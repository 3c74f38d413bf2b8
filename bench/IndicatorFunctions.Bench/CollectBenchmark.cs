using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IndicatorFunctions.Bench;

/// <summary>
/// The collect benchmark of scripts/bench-collect.sh, against a running app (BENCH_APP_URL, BENCH_ADMIN_KEY;
/// BENCH_APP_PID and BENCH_AZURITE_PID for CPU figures):
/// <list type="number">
/// <item>starts a source server in this process (Kestrel on 127.0.0.1, a free port) publishing BENCH_SOURCES
/// CSVs (default 50) of BENCH_ROWS rows (default 2000): one district each, BENCH_INDICATORS indicators (default
/// 20) × months from 2018-01, deterministic values; every answer carries a strong ETag and Last-Modified and a
/// matching If-None-Match (or, without one, a not-older If-Modified-Since) gets 304. It counts what it serves.</item>
/// <item>PUTs the catalog (indicators, districts, region clusters of 10) and one http-csv source per CSV.</item>
/// <item>first run, <c>POST /api/runs?wait=true {"collect":true}</c>: everything is new;</item>
/// <item>second run, the same POST with nothing changed at the sources: every source should cost one 304.</item>
/// </list>
/// Prints one flat JSON line with every figure (for the script's summary); the full run records go to
/// BENCH_WORK/run-first.json and run-second.json when BENCH_WORK is set. Exits 1 when a run did not do what it
/// must (all fetched and every row accepted; then all unchanged, each with exactly one 304).
/// </summary>
public static class CollectBenchmark
{
    private static readonly DateTimeOffset Published = new(2025, 6, 30, 8, 0, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync()
    {
        int sourceCount = Int("BENCH_SOURCES", 50), rows = Int("BENCH_ROWS", 2000), indicatorCount = Math.Min(Int("BENCH_INDICATORS", 20), rows);
        if (sourceCount is < 1 or > 1000 || rows < 1 || indicatorCount < 1)
        {
            Console.Error.WriteLine("BENCH_SOURCES must be 1-1000, BENCH_ROWS and BENCH_INDICATORS at least 1");
            return 2;
        }
        var appPid = Int("BENCH_APP_PID", 0);
        var azuritePid = Int("BENCH_AZURITE_PID", 0);
        var work = Environment.GetEnvironmentVariable("BENCH_WORK");

        var districts = Enumerable.Range(0, sourceCount).Select(d => $"d-{d:000}").ToList();
        var indicators = Enumerable.Range(0, indicatorCount).Select(i => $"ind-{i:000}").ToList();
        var files = districts.Select((district, d) => SourceFile.Create(district, Csv(d, indicators, rows))).ToDictionary(f => f.Path, StringComparer.Ordinal);

        await using var server = await SourceServer.StartAsync(files);
        using var http = new HttpClient { BaseAddress = new Uri(Env("BENCH_APP_URL", "http://127.0.0.1:7071")), Timeout = TimeSpan.FromHours(2) };
        http.DefaultRequestHeaders.Add("x-functions-key", Env("BENCH_ADMIN_KEY", "bench"));

        var setup = Stopwatch.StartNew();
        await PutAllAsync(http, indicators.Select(id => ($"/api/indicators/{id}", (object)new
        {
            name = $"Indicator {id}", unit = "CNY", aggregation = "sum", decimals = 0,
        })));
        await PutAllAsync(http, districts.Select((id, d) => ($"/api/districts/{id}", (object)new
        {
            name = $"District {id}", region = $"r-{d / 10:00}", aliases = Array.Empty<string>(),
        })));
        await PutAllAsync(http, districts.Chunk(10).Select((members, c) => ($"/api/clusters/r-{c:00}", (object)new
        {
            name = $"Region r-{c:00}", kind = "region", members = members.Select(m => new { district = m }).ToList(),
        })));
        await PutAllAsync(http, districts.Select(id => ($"/api/sources/{id}", (object)new
        {
            kind = "http-csv",
            url = $"{server.BaseUrl}/{id}.csv",
            mapping = new Dictionary<string, string> { ["period"] = "month", ["value"] = "value" },
            defaults = new Dictionary<string, string> { ["district"] = id, ["scale"] = "1e4" },
        })));
        var setupSeconds = setup.Elapsed.TotalSeconds;

        var first = await RunOnceAsync(http, server, appPid, azuritePid, work, "first");
        var second = await RunOnceAsync(http, server, appPid, azuritePid, work, "second");

        var failures = new List<string>();
        var expectedRows = (long)sourceCount * rows;
        Check(failures, first, "status", first.Status == "succeeded", $"status {first.Status}, errors {first.Run["errors"]?.ToJsonString()}");
        Check(failures, first, "fetched", first.Summary("fetched") == sourceCount, $"{first.Summary("fetched")} of {sourceCount} sources fetched ({first.Failures()})");
        Check(failures, first, "rowsAccepted", first.Summary("rowsAccepted") == expectedRows, $"{first.Summary("rowsAccepted")} rows accepted, {first.Summary("rowsRejected")} rejected; expected {expectedRows}");
        Check(failures, second, "status", second.Status == "succeeded", $"status {second.Status}, errors {second.Run["errors"]?.ToJsonString()}");
        Check(failures, second, "unchanged", second.Summary("unchanged") == sourceCount, $"{second.Summary("unchanged")} of {sourceCount} sources unchanged ({second.Failures()})");
        Check(failures, second, "304s", second.Served.NotModified == sourceCount && second.Served.Requests == sourceCount,
            $"the source server answered {second.Served.NotModified} × 304 of {second.Served.Requests} requests; expected {sourceCount} of {sourceCount}");

        var totalBytes = files.Values.Sum(f => (long)f.Body.Length);
        var result = new JsonObject
        {
            ["step"] = "collect",
            ["ok"] = failures.Count == 0,
            ["sources"] = sourceCount,
            ["rowsPerSource"] = rows,
            ["rows"] = expectedRows,
            ["indicators"] = indicatorCount,
            ["months"] = (rows + indicatorCount - 1) / indicatorCount,
            ["districts"] = sourceCount,
            ["clusters"] = (sourceCount + 9) / 10,
            ["payloadBytes"] = totalBytes,
            ["setupSeconds"] = Math.Round(setupSeconds, 2),
            ["sourceServer"] = server.BaseUrl,
        };
        first.AddTo(result, "first");
        second.AddTo(result, "second");
        result["secondToFirst"] = Math.Round(second.WallSeconds / first.WallSeconds, 4);
        result["failures"] = new JsonArray([.. failures.Select(f => (JsonNode)f)]);
        Console.WriteLine(result.ToJsonString());
        foreach (var failure in failures)
            Console.Error.WriteLine("collect benchmark: " + failure);
        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>
    /// One district's file: every indicator's months in turn (the shape a statistics office publishes), values in
    /// units of 1e4 CNY, deterministic: a level per district and indicator, a trend, and a seasonal swing.
    /// </summary>
    internal static string Csv(int district, IReadOnlyList<string> indicators, int rows)
    {
        var months = (rows + indicators.Count - 1) / indicators.Count;
        var csv = new StringBuilder(rows * 28);
        csv.Append("month,indicator,value\n");
        var written = 0;
        for (var i = 0; i < indicators.Count && written < rows; i++)
        {
            var level = 500 + 37.0 * district + 113.0 * i;
            for (var m = 0; m < months && written < rows; m++, written++)
            {
                var value = level * (1 + 0.004 * m) * (1 + 0.05 * Math.Sin((m % 12) * Math.PI / 6 + district));
                csv.Append(CultureInfo.InvariantCulture, $"{2018 + m / 12:0000}-{m % 12 + 1:00},{indicators[i]},{value:0.00}\n");
            }
        }
        return csv.ToString();
    }

    private static async Task<RunFigures> RunOnceAsync(HttpClient http, SourceServer server, int appPid, int azuritePid, string? work, string label)
    {
        var served = server.Snapshot();
        var (appCpu, azuriteCpu, benchCpu) = (ProcessCpu.Seconds(appPid), ProcessCpu.Seconds(azuritePid), Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds);
        var watch = Stopwatch.StartNew();
        using var response = await http.PostAsJsonAsync("/api/runs?wait=true", new { collect = true });
        var text = await response.Content.ReadAsStringAsync();
        var wall = watch.Elapsed.TotalSeconds;
        if (work is { Length: > 0 })
            await File.WriteAllTextAsync(Path.Combine(work, $"run-{label}.json"), text);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST /api/runs (the {label} run) -> {(int)response.StatusCode}: {text[..Math.Min(text.Length, 2000)]}");
        var run = JsonNode.Parse(text)!.AsObject();
        Console.Error.WriteLine($"  {label} run: {wall:0.000} s wall, status {run["status"]}, collection {run["collection"]?.ToJsonString()}");
        return new RunFigures(label, run, wall, server.Snapshot() - served,
            ProcessCpu.Seconds(appPid) - appCpu, ProcessCpu.Seconds(azuritePid) - azuriteCpu, Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - benchCpu);
    }

    private static void Check(List<string> failures, RunFigures run, string what, bool ok, string message)
    {
        if (!ok)
            failures.Add($"{run.Label} run, {what}: {message}");
    }

    private static async Task PutAllAsync(HttpClient http, IEnumerable<(string Path, object Body)> entries)
    {
        // A few at a time: set-up, not the figure being measured.
        await Parallel.ForEachAsync(entries, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (entry, ct) =>
        {
            using var content = JsonContent.Create(entry.Body, entry.Body.GetType());
            using var response = await http.PutAsync(entry.Path, content, ct);
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"PUT {entry.Path} -> {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        });
    }


    private static int Int(string name, int fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    private static string Env(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;

    /// <summary>What one run reported, what the source server saw meanwhile, and the CPU each process spent.</summary>
    private sealed record RunFigures(string Label, JsonObject Run, double WallSeconds, ServerCounts Served, double AppCpuSeconds, double AzuriteCpuSeconds, double BenchCpuSeconds)
    {
        public string? Status => Run["status"]?.GetValue<string>();

        private IEnumerable<JsonObject> Sources => Run["sources"]?.AsArray().OfType<JsonObject>() ?? [];

        public long Summary(string name) => Run["collection"]?[name]?.GetValue<long>() ?? -1;

        private long Sum(string name) => Sources.Sum(s => s[name]?.GetValue<long>() ?? 0);

        private long Max(string name) => Sources.Select(s => s[name]?.GetValue<long>() ?? 0).DefaultIfEmpty().Max();

        private long Field(string name) => Run[name]?.GetValue<long>() ?? 0;

        /// <summary>The first few sources that did not end as expected, with their reasons.</summary>
        public string Failures() => string.Join("; ", Sources.Where(s => s["status"]?.GetValue<string>() is not ("fetched" or "unchanged")).Take(3)
            .Select(s => $"{s["source"]}: {s["status"]} {s["reason"]}")) is { Length: > 0 } text ? text : "no source failed";

        public void AddTo(JsonObject o, string prefix)
        {
            void Set(string name, JsonNode? value) => o[prefix + char.ToUpperInvariant(name[0]) + name[1..]] = value;
            Set("status", Status);
            Set("wallSeconds", Math.Round(WallSeconds, 3));
            Set("durationMs", Field("durationMs"));
            Set("collectMs", Field("collectMs"));
            Set("aggregateMs", Field("aggregateMs"));
            Set("observationsRead", Field("observationsRead"));
            Set("growthWritten", Field("growthWritten"));
            Set("rollupsWritten", Field("rollupsWritten"));
            foreach (var name in new[] { "fetched", "unchanged", "failed", "skipped", "rowsAccepted", "rowsRejected" })
                Set(name, Summary(name));
            Set("bytes", Sum("bytes"));
            Set("fetchMsSum", Sum("fetchMs"));
            Set("parseMsSum", Sum("parseMs"));
            Set("writeMsSum", Sum("writeMs"));
            Set("fetchMsMax", Max("fetchMs"));
            Set("parseMsMax", Max("parseMs"));
            Set("writeMsMax", Max("writeMs"));
            Set("attempts", Sum("attempts"));
            Set("serverRequests", Served.Requests);
            Set("server200", Served.Ok);
            Set("server304", Served.NotModified);
            Set("serverConditional", Served.Conditional);
            Set("serverBytes", Served.Bytes);
            Set("appCpuSeconds", Math.Round(AppCpuSeconds, 2));
            Set("azuriteCpuSeconds", Math.Round(AzuriteCpuSeconds, 2));
            Set("benchCpuSeconds", Math.Round(BenchCpuSeconds, 2));
            Set("errors", Run["errors"]?.DeepClone());
        }
    }

    private sealed record ServerCounts(long Requests, long Ok, long NotModified, long Conditional, long Bytes)
    {
        public static ServerCounts operator -(ServerCounts a, ServerCounts b) =>
            new(a.Requests - b.Requests, a.Ok - b.Ok, a.NotModified - b.NotModified, a.Conditional - b.Conditional, a.Bytes - b.Bytes);
    }

    private sealed record SourceFile(string Path, byte[] Body, string ETag)
    {
        public static SourceFile Create(string district, string csv)
        {
            var body = Encoding.UTF8.GetBytes(csv);
            return new SourceFile($"/{district}.csv", body, $"\"{Convert.ToHexStringLower(SHA256.HashData(body))[..32]}\"");
        }
    }

    /// <summary>
    /// A publisher of static CSV files: strong ETag (a hash of the bytes) and a fixed Last-Modified on every answer;
    /// 304 to a matching If-None-Match, or — only when that header is absent — to an If-Modified-Since not older than
    /// the file (RFC 9110 §13.2.2).
    /// </summary>
    private sealed class SourceServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly IReadOnlyDictionary<string, SourceFile> _files;
        private long _requests, _ok, _notModified, _conditional, _bytes;

        private SourceServer(WebApplication app, IReadOnlyDictionary<string, SourceFile> files, string baseUrl) =>
            (_app, _files, BaseUrl) = (app, files, baseUrl);

        public string BaseUrl { get; }

        public static async Task<SourceServer> StartAsync(IReadOnlyDictionary<string, SourceFile> files)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders(); // stdout carries the result line only
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            SourceServer? server = null;
            app.Run(context => server!.ServeAsync(context));
            await app.StartAsync();
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            server = new SourceServer(app, files, url.TrimEnd('/'));
            return server;
        }

        public ServerCounts Snapshot() => new(Interlocked.Read(ref _requests), Interlocked.Read(ref _ok), Interlocked.Read(ref _notModified),
            Interlocked.Read(ref _conditional), Interlocked.Read(ref _bytes));

        private async Task ServeAsync(HttpContext context)
        {
            Interlocked.Increment(ref _requests);
            if (!HttpMethods.IsGet(context.Request.Method) || !_files.TryGetValue(context.Request.Path.Value ?? "", out var file))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            var headers = context.Request.GetTypedHeaders();
            context.Response.Headers.ETag = file.ETag;
            context.Response.Headers.LastModified = Published.ToString("R", CultureInfo.InvariantCulture);
            context.Response.Headers.CacheControl = "no-cache";
            var ifNoneMatch = context.Request.Headers.IfNoneMatch;
            if (ifNoneMatch.Count > 0 || headers.IfModifiedSince is not null)
                Interlocked.Increment(ref _conditional);
            var notModified = ifNoneMatch.Count > 0
                ? headers.IfNoneMatch.Any(tag => tag.Tag == "*" || tag.Tag.Value == file.ETag) // weak comparison: W/ is ignored
                : headers.IfModifiedSince is { } since && Published <= since;
            if (notModified)
            {
                Interlocked.Increment(ref _notModified);
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }
            context.Response.ContentType = "text/csv; charset=utf-8";
            context.Response.ContentLength = file.Body.Length;
            await context.Response.Body.WriteAsync(file.Body);
            Interlocked.Increment(ref _ok);
            Interlocked.Add(ref _bytes, file.Body.Length);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
