using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using IndicatorFunctions.Ingestion;
using IndicatorFunctions.Samples;

namespace IndicatorFunctions.Bench;

/// <summary>
/// The steps of scripts/bench-ingest.sh against a running app, each printing one JSON line: <c>catalog</c> (the
/// synthetic indicators and districts), <c>load json|csv</c> (every observation through <c>POST /api/observations</c>
/// as JSON or CSV bodies, one body at a time, timed), <c>resend</c> (the same JSON bodies again: every row unchanged) and
/// <c>revise</c> (1% of the points again with new values). Each step reports observations/s and the CPU the app and
/// Azurite used meanwhile.
/// Environment: as <see cref="PipelineBenchmark"/> (BENCH_APP_URL, BENCH_ADMIN_KEY, BENCH_APP_PID, BENCH_AZURITE_PID,
/// BENCH_SEED, BENCH_DISTRICTS, BENCH_YEARS, BENCH_SECTORS, BENCH_OBSERVATIONS, BENCH_BODY_ROWS).
/// </summary>
public static class IngestBenchmark
{
    public static async Task<int> RunAsync(string? step, string? format)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Env("BENCH_APP_URL", "http://127.0.0.1:7071")), Timeout = TimeSpan.FromHours(1) };
        http.DefaultRequestHeaders.Add("x-functions-key", Env("BENCH_ADMIN_KEY", "bench"));
        var data = PipelineBenchmark.DataSet();
        var result = (step, format) switch
        {
            ("catalog", _) => await CatalogAsync(http, data),
            ("load", "json" or "csv") => await SendAsync(http, "load", data.Observations().ToList(), format),
            ("resend", _) => await SendAsync(http, "resend", data.Observations().ToList(), "json"),
            ("revise", _) => await SendAsync(http, "revise", Revisions(data), "json"),
            _ => null,
        };
        if (result is null)
        {
            Console.Error.WriteLine("usage: IndicatorFunctions.Bench ingest catalog | load json|csv | resend | revise");
            return 2;
        }
        Console.WriteLine(result.ToJsonString());
        return 0;
    }

    private static async Task<JsonObject> CatalogAsync(HttpClient http, SyntheticData data)
    {
        var watch = Stopwatch.StartNew();
        await PipelineBenchmark.PutAllAsync(http, data.Indicators.Select(i => ($"/api/indicators/{i.Id}", (object)i)));
        await PipelineBenchmark.PutAllAsync(http, data.Districts.Select(d => ($"/api/districts/{d.Id}", (object)d)));
        return new JsonObject { ["step"] = "catalog", ["indicators"] = data.Indicators.Count, ["districts"] = data.Districts.Count, ["seconds"] = Math.Round(watch.Elapsed.TotalSeconds, 2) };
    }

    /// <summary>Every 100th point again, 5% higher: each one a revision.</summary>
    private static List<ObservationInput> Revisions(SyntheticData data) =>
        data.Observations().Where(o => o.Row % 100 == 0).Select(o => o with { Value = Math.Round(o.Value!.Value * 1.05, 2) }).ToList();

    /// <summary>Sends the rows in bodies of BENCH_BODY_ROWS, one after the other; bodies are built before the clock starts.</summary>
    private static async Task<JsonObject> SendAsync(HttpClient http, string step, List<ObservationInput> rows, string format)
    {
        var bodies = rows.Chunk(PipelineBenchmark.BodyRows()).Select(b => format == "csv" ? ToCsvBody(b) : SyntheticData.ToJsonBody(b)).ToList();
        var contentType = format == "csv" ? "text/csv" : "application/json";
        var (appPid, azuritePid) = (Int("BENCH_APP_PID", 0), Int("BENCH_AZURITE_PID", 0));
        var (appCpu, azuriteCpu) = (ProcessCpu.Seconds(appPid), ProcessCpu.Seconds(azuritePid));
        var counts = new Dictionary<string, int> { ["accepted"] = 0, ["inserted"] = 0, ["revised"] = 0, ["unchanged"] = 0, ["notStored"] = 0 };

        var watch = Stopwatch.StartNew();
        foreach (var body in bodies)
        {
            var reply = await PostAsync(http, body, contentType);
            foreach (var name in counts.Keys)
                counts[name] += reply[name]!.GetValue<int>();
        }
        var seconds = watch.Elapsed.TotalSeconds;
        var (appSeconds, azuriteSeconds) = (ProcessCpu.Seconds(appPid) - appCpu, ProcessCpu.Seconds(azuritePid) - azuriteCpu);

        var expected = step switch { "load" => "inserted", "resend" => "unchanged", _ => "revised" };
        if (counts["accepted"] != rows.Count || counts[expected] != rows.Count)
            throw new InvalidOperationException($"{step}: {rows.Count} rows sent, the app answered {string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"))}");
        var result = new JsonObject
        {
            ["step"] = step,
            ["format"] = format,
            ["observations"] = rows.Count,
            ["bodies"] = bodies.Count,
            ["bodyBytes"] = bodies.Sum(b => (long)b.Length),
            ["seconds"] = Math.Round(seconds, 3),
            ["observationsPerSecond"] = Math.Round(rows.Count / seconds),
            ["appCpuSeconds"] = Math.Round(appSeconds, 2),
            ["azuriteCpuSeconds"] = Math.Round(azuriteSeconds, 2),
        };
        foreach (var (name, value) in counts)
            result[name] = value;
        return result;
    }

    private static async Task<JsonObject> PostAsync(HttpClient http, byte[] body, string contentType)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new(contentType);
        using var response = await http.PostAsync("/api/observations", content);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST /api/observations -> {(int)response.StatusCode}: {text[..Math.Min(text.Length, 2000)]}");
        var reply = JsonNode.Parse(text)!.AsObject();
        if (reply["rejected"]!.GetValue<int>() > 0)
            throw new InvalidOperationException($"POST /api/observations rejected rows: {text[..Math.Min(text.Length, 2000)]}");
        return reply;
    }

    /// <summary>A <c>text/csv</c> body with the same fields as <see cref="SyntheticData.ToJsonBody"/> (none needs quoting).</summary>
    public static byte[] ToCsvBody(IEnumerable<ObservationInput> rows)
    {
        var csv = new StringBuilder("district,indicator,sector,period,value,unit,status,source\n");
        foreach (var o in rows)
            csv.Append(CultureInfo.InvariantCulture, $"{o.District},{o.Indicator},{o.Sector},{o.Period},{o.Value!.Value.ToString("R", CultureInfo.InvariantCulture)},{o.Unit},{o.Status},{o.Source}\n");
        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    private static int Int(string name, int fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    private static string Env(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;
}
