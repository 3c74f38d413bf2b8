using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IndicatorFunctions.Tests.Infrastructure;

namespace IndicatorFunctions.Tests.Collection;

/// <summary>
/// A small retail catalog and monthly CSVs whose growth is easy to check by hand: every district's 2020 months
/// are 100 (万 CNY, scale 1e4) and its 2021 months 110, so every 2021 month grows 10 %.
/// </summary>
public static class CollectionData
{
    /// <summary>
    /// Fast resilience for tests: 50 ms backoff, two retries. The attempt timeout stays generous: a loaded CI
    /// machine can take well over half a second to answer a healthy local request, and a spurious timeout adds
    /// an attempt that breaks every assertion on attempt or request counts. A test about timeouts sets its own.
    /// The local <see cref="SourceServer"/> is on loopback, which sources may reach only when allowed.
    /// </summary>
    public static Dictionary<string, string?> Settings(params (string Name, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Collection:AttemptTimeout"] = "00:00:30",
            ["Collection:RetryBaseDelay"] = "00:00:00.05",
            ["Collection:MaxRetries"] = "2",
            ["Collection:MaxRetryAfter"] = "00:00:05",
            ["Collection:AllowedPrivateHosts"] = "127.0.0.1, localhost",
        };
        foreach (var (name, value) in extra)
            settings[name] = value;
        return settings;
    }

    public static async Task SeedCatalogAsync(HttpClient admin)
    {
        await Put(admin, "/api/indicators/retail", new { name = "Retail sales", unit = "CNY", aggregation = "sum", decimals = 0 });
        foreach (var district in new[] { "minhang", "xuhui", "pudong", "jingan" })
            await Put(admin, $"/api/districts/{district}", new { name = district, region = "shanghai", aliases = Array.Empty<string>() });
        await Put(admin, "/api/clusters/south", new { name = "South", kind = "region", members = new object[] { new { district = "minhang" }, new { district = "xuhui" } } });
    }

    /// <summary>24 months, 2020-01 .. 2021-12, in the publisher's own column names.</summary>
    public static string RetailCsv(int in2020 = 100, int in2021 = 110)
    {
        var csv = new StringBuilder("month,retail_wan\n");
        for (var year = 2020; year <= 2021; year++)
            for (var month = 1; month <= 12; month++)
                csv.Append(CultureInfo.InvariantCulture, $"{year}-{month:D2},{(year == 2020 ? in2020 : in2021)}\n");
        return csv.ToString();
    }

    public static object HttpCsvSource(string url, string district, object? headers = null, string? schedule = null) => new
    {
        kind = "http-csv",
        url,
        headers,
        mapping = new { period = "month", value = "retail_wan" },
        defaults = new { district, indicator = "retail", scale = "1e4" },
        schedule,
    };

    public static async Task PutSourceAsync(HttpClient admin, string id, object body)
    {
        var response = await admin.PutAsJsonAsync($"/api/sources/{id}", body);
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"PUT source {id} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>A collecting run, waited for; returns the finished run as the API shows it.</summary>
    public static async Task<JsonElement> CollectAsync(HttpClient admin, object? body = null)
    {
        var response = await admin.PostAsJsonAsync("/api/runs?wait=true", body ?? new { collect = true });
        var run = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"run answered {(int)response.StatusCode}: {run}");
        return run;
    }

    public static JsonElement Outcome(JsonElement run, string source) =>
        run.GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("source").GetString() == source);

    /// <summary>The aggregated point for one month of a district's retail series (value and YoY), or null when absent.</summary>
    public static async Task<JsonElement?> PointAsync(HttpClient client, string district, string period)
    {
        var series = await client.GetFromJsonAsync<JsonElement>($"/api/districts/{district}/indicators/retail/series");
        return series.GetProperty("points").EnumerateArray().Where(p => p.GetProperty("period").GetString() == period).Select(p => (JsonElement?)p).SingleOrDefault();
    }

    private static async Task Put(HttpClient admin, string path, object body)
    {
        var response = await admin.PutAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"PUT {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
