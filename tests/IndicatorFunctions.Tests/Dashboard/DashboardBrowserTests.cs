using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Tests.Infrastructure;

namespace IndicatorFunctions.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser: the built app in local mode as its own process, the sample data loaded through
/// the API and aggregated (scripts/load-sample.mjs, as the run command does), then headless Chromium (Debian's
/// package, driven by playwright-core: dashboard.check.mjs) reads the figures the page shows, switches indicator with
/// the real select, reads again and takes a screenshot. Every figure read from the DOM is compared with the API's JSON
/// for the same selection.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DashboardBrowserTests(AzuriteFixture azurite)
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly string CheckScript = Path.Combine(RepositoryPaths.Root, "tests", "IndicatorFunctions.Tests", "Dashboard", "dashboard.check.mjs");

    [Fact]
    public async Task Dashboard_in_headless_Chromium_shows_the_APIs_figures_switches_indicator_and_takes_a_screenshot()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium package (scripts/test.sh does).");
        await using var app = await AppProcess.StartAsync(azurite);
        var load = await RunNodeAsync(Path.Combine(RepositoryPaths.Root, "scripts", "load-sample.mjs"), [],
            new() { ["APP_URL"] = app.BaseAddress.AbsoluteUri.TrimEnd('/'), ["ADMIN_KEY"] = AppProcess.AdminKey });
        Assert.True(load.ExitCode == 0, $"load-sample.mjs failed:\n{load.All}\nApp output:\n{app.Output}");

        var screenshot = Path.Combine(Directory.CreateTempSubdirectory("dashboard").FullName, "dashboard.png");
        try
        {
            // Load gdp for a district and a region cluster; switch indicator; then pick an industrial cluster and its
            // sector (whose sample covers 2 of 3 members in 2019), each with the real selects.
            string[] steps = ["""{"indicator":"retail-sales"}""", """{"indicator":"output","sector":"ai","cluster":"ai-industry"}"""];
            var check = await RunNodeAsync(CheckScript,
                [app.BaseAddress.AbsoluteUri.TrimEnd('/'), "indicator=gdp&district=xuhui&sector=total&cluster=southwest-core", $"[{string.Join(',', steps)}]", screenshot], []);
            Assert.True(check.ExitCode == 0, $"dashboard.check.mjs failed:\n{check.All}\nApp output:\n{app.Output}");
            using var shown = JsonDocument.Parse(check.Output);
            var root = shown.RootElement;
            var reads = root.GetProperty("reads").EnumerateArray().ToList();

            // No script error, no refused request, no CSP violation; and nothing fetched from anywhere but the app.
            Assert.Empty(root.GetProperty("problems").EnumerateArray());
            Assert.All(root.GetProperty("requests").EnumerateArray(), r => Assert.StartsWith(app.BaseAddress.AbsoluteUri, r.GetString()));
            Assert.Equal(3, reads.Count);

            using var http = app.CreateClient();
            var gdp = await AssertShowsTheApiAsync(http, reads[0], "gdp");
            var retail = await AssertShowsTheApiAsync(http, reads[1], "retail-sales");
            var output = await AssertShowsTheApiAsync(http, reads[2], "output");

            // Switching indicator changed every panel's figures to the other indicator's (each compared with the API above).
            Assert.Equal(Selection(reads[0]) with { Indicator = "retail-sales" }, Selection(reads[1]));
            Assert.NotEqual(gdp.Series, retail.Series);
            Assert.NotEqual(gdp.CrossSection, retail.CrossSection);
            Assert.NotEqual(gdp.Rollups, retail.Rollups);
            Assert.Equal(Selection(reads[1]) with { Indicator = "output", Sector = "ai", Cluster = "ai-industry" }, Selection(reads[2]));
            Assert.NotEqual(retail.Rollups, output.Rollups);
            Assert.Contains(reads[2].GetProperty("rollups").EnumerateArray(), r =>
                double.Parse(r.GetProperty("fields").GetProperty("coverage").GetProperty("value").GetString()!, CultureInfo.InvariantCulture) < 1);

            // The screenshot: a PNG of the page at the 1280-pixel viewport, large enough to hold charts, small enough to be sane.
            var png = await File.ReadAllBytesAsync(screenshot);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], png[..8]);
            Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
            var (width, height) = (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
            Assert.Equal(1280, width);
            Assert.InRange(height, 600, 4000);
            Assert.InRange(png.Length, 30_000, 3_000_000);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(screenshot)!, recursive: true);
        }
    }

    private sealed record Selected(string Indicator, string District, string Sector, string Cluster, string Kind, string Period);

    /// <summary>Each panel's figures as shown, for comparing one selection's with another's.</summary>
    private sealed record Figures(string Series, string CrossSection, string Rollups);

    private static Selected Selection(JsonElement page)
    {
        var s = page.GetProperty("selection");
        string Get(string name) => s.GetProperty(name).GetString()!;
        return new Selected(Get("indicator"), Get("district"), Get("sector"), Get("cluster"), Get("kind"), Get("period"));
    }

    /// <summary>
    /// The page's state read from the DOM shows exactly what the API answers for its selection: the series (points
    /// of the kind of period shown), the cross-section for the period shown (ranked), the cluster's rollups, and
    /// the freshness line.
    /// </summary>
    private static async Task<Figures> AssertShowsTheApiAsync(HttpClient http, JsonElement page, string indicator)
    {
        Assert.True(page.GetProperty("state").GetString() == "ready", $"page state {page.GetProperty("state")}: {page.GetProperty("error")}");
        var s = Selection(page);
        Assert.Equal(indicator, s.Indicator);
        Assert.Contains(indicator, page.GetProperty("indicatorOptions").EnumerateArray().Select(o => o.GetString()));
        var kind = s.Kind switch
        {
            "year" => PeriodKind.Year, "half" => PeriodKind.Half, "quarter" => PeriodKind.Quarter, "month" => PeriodKind.Month, "ytd" => PeriodKind.YearToDate,
            _ => throw new InvalidOperationException($"unknown kind {s.Kind}"),
        };
        bool OfKind(JsonElement point) => Period.Parse(point.GetProperty("period").GetString()!).Kind == kind;

        using var series = await GetJsonAsync(http, $"/api/districts/{s.District}/indicators/{s.Indicator}/series?sector={s.Sector}");
        using var rollups = await GetJsonAsync(http, $"/api/clusters/{s.Cluster}/indicators/{s.Indicator}/rollups");
        using var crossSection = await GetJsonAsync(http, $"/api/indicators/{s.Indicator}/periods/{s.Period}?sector={s.Sector}");

        var seriesPoints = series.RootElement.GetProperty("points").EnumerateArray().Where(OfKind).ToList();
        var rollupPoints = rollups.RootElement.GetProperty("points").EnumerateArray().Where(OfKind).ToList();
        var rows = crossSection.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.NotEmpty(seriesPoints);
        Assert.NotEmpty(rollupPoints);
        Assert.NotEmpty(rows);
        // The period ranked is one the district's or the cluster's figures have.
        Assert.Contains(s.Period, seriesPoints.Concat(rollupPoints).Select(p => p.GetProperty("period").GetString()));

        AssertRows(page.GetProperty("series"), seriesPoints, "period", point => new()
        {
            ["value"] = point.GetProperty("value"),
            ["status"] = point.GetProperty("status"),
            ["source"] = point.GetProperty("source"),
            ["yoy-change"] = point.GetProperty("yoy").GetProperty("change"),
            ["yoy-pct"] = point.GetProperty("yoy").GetProperty("pct"),
            ["yoy-status"] = point.GetProperty("yoy").GetProperty("status"),
        });
        AssertRows(page.GetProperty("crossSection"), rows, "district", row => new()
        {
            ["rank"] = row.GetProperty("rank"),
            ["district"] = row.GetProperty("district"),
            ["value"] = row.GetProperty("value"),
            ["status"] = row.GetProperty("status"),
            ["yoy-pct"] = row.GetProperty("yoy").GetProperty("pct"),
        });
        AssertRows(page.GetProperty("rollups"), rollupPoints, "period", point => new()
        {
            ["value"] = point.GetProperty("value"),
            ["status"] = point.GetProperty("status"),
            ["coverage"] = point.GetProperty("coverage"),
            ["missing"] = point.GetProperty("missing"),
            ["yoy-pct"] = point.GetProperty("yoy").GetProperty("pct"),
            ["yoy-comparable"] = point.GetProperty("yoy").GetProperty("comparableMembers"),
            ["yoy-status"] = point.GetProperty("yoy").GetProperty("status"),
        });

        var freshness = page.GetProperty("freshness");
        Assert.Equal(series.RootElement.GetProperty("runId").GetString(), freshness.GetProperty("runId").GetString());
        Assert.False(string.IsNullOrEmpty(freshness.GetProperty("runId").GetString()));
        Assert.Equal(series.RootElement.GetProperty("aggregatedAt").GetString(), freshness.GetProperty("aggregatedAt").GetString());
        Assert.Equal(series.RootElement.GetProperty("pendingChanges").GetBoolean() ? "true" : "false", freshness.GetProperty("pendingChanges").GetString());
        Assert.All(page.GetProperty("charts").EnumerateObject(), c => Assert.True(c.Value.GetProperty("width").GetInt32() > 100, $"chart {c.Name} was not drawn"));

        return new Figures(page.GetProperty("series").GetRawText(), page.GetProperty("crossSection").GetRawText(), page.GetProperty("rollups").GetRawText());
    }

    /// <summary>The table shows one row per API item, in the API's order, and each field as the API gives it.</summary>
    private static void AssertRows(JsonElement table, List<JsonElement> expected, string key, Func<JsonElement, Dictionary<string, JsonElement>> fields)
    {
        var shown = table.EnumerateArray().ToList();
        Assert.Equal(expected.Select(e => e.GetProperty(key).GetString()), shown.Select(r => r.GetProperty("key").GetString()));
        foreach (var (item, row) in expected.Zip(shown))
        {
            foreach (var (field, api) in fields(item))
            {
                var cell = row.GetProperty("fields").GetProperty(field);
                var (value, text) = (cell.GetProperty("value").GetString()!, cell.GetProperty("text").GetString()!);
                var where = $"{row.GetProperty("key")} {field}: shown '{text}' (data-value '{value}'), API {api.GetRawText()}";
                switch (api.ValueKind)
                {
                    case JsonValueKind.Null:
                        Assert.True(value == "", where);
                        break;
                    case JsonValueKind.Number:
                        Assert.True(double.Parse(value, CultureInfo.InvariantCulture) == api.GetDouble(), where);
                        // The text a person reads is the same figure: grouping, sign and unit marks aside (coverage reads "2/3 (66.67%)").
                        if (field == "coverage")
                            Assert.Contains($"({ReadableNumber(api.GetDouble() * 100)}%)", text);
                        else
                            Assert.True(double.Parse(text.Replace(",", "").Replace("%", "").TrimStart('+'), CultureInfo.InvariantCulture) == api.GetDouble(), where);
                        break;
                    case JsonValueKind.Array:
                        var items = string.Join(", ", api.EnumerateArray().Select(i => i.GetString()));
                        Assert.True(value == items && (text == items || items == "" && text == "—"), where);
                        break;
                    default:
                        Assert.True(value == api.GetString(), where);
                        // A district shows by name (its id in data-value); a status or source as given.
                        if (field != "district")
                            Assert.True(text == api.GetString(), where);
                        break;
                }
            }
        }
    }

    private static string ReadableNumber(double value) => Math.Round(value, 2).ToString("#,0.##", CultureInfo.InvariantCulture);

    private static async Task<JsonDocument> GetJsonAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text);
    }

    private sealed record NodeResult(int ExitCode, string Output, string Errors)
    {
        public string All => (Output + "\n" + Errors).Trim();
    }

    /// <summary>Runs a node script from the repository (so it finds node_modules there); killed after three minutes.</summary>
    private static async Task<NodeResult> RunNodeAsync(string script, string[] arguments, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("node", [script, .. arguments])
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var hung = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(hung.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {Path.GetFileName(script)} did not finish in three minutes:\n{await output}\n{await errors}");
        }
        return new NodeResult(process.ExitCode, await output, await errors);
    }
}
