using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace IndicatorFunctions.Tests.Api;

/// <summary>
/// A small catalog whose figures are easy to compute by hand. GDP (sum) for three districts:
/// xuhui 2019 100, 2020 110, 2021 121; wuhou 2019 50, 2020 40 (provisional), 2021 60; jingan 2020 200, 2021 220.
/// Cluster "core" (region): xuhui, wuhou, and jingan from 2021. Cluster "ai" (industrial): xuhui/ai, wuhou/ai.
/// </summary>
public static class PipelineData
{
    public static async Task SeedCatalogAsync(HttpClient admin)
    {
        await Put(admin, "/api/indicators/gdp", new { name = "GDP", unit = "CNY", aggregation = "sum", decimals = 0 });
        await Put(admin, "/api/indicators/rate", new { name = "Reported growth", unit = "percent", aggregation = "none", decimals = 1 });
        await Put(admin, "/api/indicators/wage", new { name = "Average wage", unit = "CNY", aggregation = "mean", decimals = 0 });
        await Put(admin, "/api/districts/xuhui", new { name = "Xuhui", region = "shanghai", aliases = new[] { "徐汇区" } });
        await Put(admin, "/api/districts/wuhou", new { name = "Wuhou", region = "chengdu", aliases = new[] { "武侯区" } });
        await Put(admin, "/api/districts/jingan", new { name = "Jing'an", region = "shanghai", aliases = Array.Empty<string>() });
        await Put(admin, "/api/clusters/core", new
        {
            name = "Core districts", kind = "region",
            members = new object[] { new { district = "xuhui" }, new { district = "wuhou" }, new { district = "jingan", from = 2021 } },
        });
        await Put(admin, "/api/clusters/ai", new
        {
            name = "AI industry", kind = "industrial", minCoverage = 0.6,
            members = new object[] { new { district = "xuhui", sector = "ai" }, new { district = "wuhou", sector = "ai" } },
        });
    }

    public static readonly object[] Gdp =
    [
        new { district = "xuhui", indicator = "gdp", period = "2019", value = 100 },
        new { district = "xuhui", indicator = "gdp", period = "2020", value = 110 },
        new { district = "xuhui", indicator = "gdp", period = "2021", value = 1.21, scale = 100 },
        new { district = "wuhou", indicator = "gdp", period = "2019", value = 50 },
        new { district = "wuhou", indicator = "gdp", period = "2020", value = 40, status = "provisional" },
        new { district = "武侯区", indicator = "gdp", period = "2021", value = 60, unit = "CNY" },
        new { district = "jingan", indicator = "gdp", period = "2020", value = 200 },
        new { district = "jingan", indicator = "gdp", period = "2021", value = 220, source = "synthetic" },
    ];

    public static async Task<JsonElement> IngestAsync(HttpClient admin, params object[] observations)
    {
        var response = await admin.PostAsJsonAsync("/api/observations", new { observations });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"ingest answered {(int)response.StatusCode}: {body}");
        return body;
    }

    public static async Task<JsonElement> RunAsync(HttpClient admin, bool full = false)
    {
        var response = await admin.PostAsJsonAsync("/api/runs?wait=true", new { full });
        var run = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"run answered {(int)response.StatusCode}: {run}");
        Assert.True(run.GetProperty("status").GetString() == "succeeded", $"run did not succeed: {run}");
        return run;
    }

    public static async Task<JsonElement> GetJsonAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} answered {(int)response.StatusCode}: {body}");
        return body;
    }

    public static JsonElement Point(JsonElement response, string period, string collection = "points") =>
        response.GetProperty(collection).EnumerateArray().Single(p => p.GetProperty("period").GetString() == period);

    public static double? Number(JsonElement element, string name) =>
        element.GetProperty(name).ValueKind == JsonValueKind.Null ? null : element.GetProperty(name).GetDouble();

    private static async Task Put(HttpClient admin, string url, object body)
    {
        var response = await admin.PutAsJsonAsync(url, body);
        Assert.True(response.IsSuccessStatusCode, $"PUT {url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
