using System.Net;
using System.Text;
using System.Text.Json;
using IndicatorFunctions.Data;
using IndicatorFunctions.Ingestion;
using IndicatorFunctions.Tests.Infrastructure;
using static IndicatorFunctions.Tests.Api.PipelineData;

namespace IndicatorFunctions.Tests.Api;

/// <summary>
/// However many rows a body rejects, the response stays small: the first errors, counts by field and rule, and the
/// blob beside the archived body that holds every error.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class IngestionErrorReportTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_large_csv_of_bad_rows_gets_a_bounded_400_with_counts_and_every_error_in_a_blob()
    {
        const int Rows = 60_000;
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        var csv = new StringBuilder("district,indicator,period,value\n");
        for (var i = 0; i < Rows; i++)
            csv.Append(i % 2 == 0 ? $"nowhere-{i},gdp,2021,abc\n" : $"xuhui,gdp,2021-13,{i}\n");

        var response = await admin.PostAsync("/api/observations", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
        var text = await response.Content.ReadAsStringAsync();
        var problem = JsonDocument.Parse(text).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(text.Length < 64 * 1024, $"the response is {text.Length} characters");
        Assert.Equal(ErrorReport.ListedMax, problem.GetProperty("errors").GetArrayLength());
        Assert.Equal(2, problem.GetProperty("errors")[0].GetProperty("row").GetInt32()); // the header is line 1
        Assert.Equal(Rows / 2 * 3, problem.GetProperty("errorCount").GetInt32());
        Assert.Equal(Rows, problem.GetProperty("rejected").GetInt32());
        Assert.StartsWith($"{Rows / 2 * 3} problems", problem.GetProperty("detail").GetString());
        Assert.Equal(
            [("district", RowRules.Unknown, Rows / 2), ("value", RowRules.Number, Rows / 2), ("period", RowRules.Period, Rows / 2)],
            problem.GetProperty("errorCounts").EnumerateArray()
                .Select(c => (c.GetProperty("field").GetString(), c.GetProperty("rule").GetString(), c.GetProperty("count").GetInt32()))
                .OrderBy(c => c.Item1 == "district" ? 0 : c.Item1 == "value" ? 1 : 2));

        var lines = await ReadBlobLinesAsync(app, problem.GetProperty("errorsBlob").GetString()!);
        Assert.Equal(Rows / 2 * 3, lines.Count);
        Assert.Equal(Rows / 2 * 3, lines.Distinct().Count());
        var first = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal((2, "district", RowRules.Unknown, "unknown district 'nowhere-0'"),
            (first.GetProperty("row").GetInt32(), first.GetProperty("field").GetString(), first.GetProperty("rule").GetString(), first.GetProperty("message").GetString()));
        Assert.Equal(Rows + 1, JsonDocument.Parse(lines[^1]).RootElement.GetProperty("row").GetInt32());
    }

    [Fact]
    public async Task A_partly_valid_body_reports_its_errors_the_same_way_beside_the_archived_body()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        const string csv = "district,indicator,period,value,status\nxuhui,gdp,2021,121,\nxuhui,gdp,2022,1,guess\n";

        var response = await admin.PostAsync("/api/observations", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, body.GetProperty("accepted").GetInt32());
        var error = Assert.Single(body.GetProperty("errors").EnumerateArray());
        Assert.Equal((3, "status", RowRules.Status), (error.GetProperty("row").GetInt32(), error.GetProperty("field").GetString(), error.GetProperty("rule").GetString()));
        Assert.Equal(1, body.GetProperty("errorCount").GetInt32());
        var blob = body.GetProperty("errorsBlob").GetString()!;
        Assert.Equal($"raw/observations/{body.GetProperty("batchId").GetString()}.errors.jsonl", blob);
        Assert.Single(await ReadBlobLinesAsync(app, blob));
    }

    [Fact]
    public async Task A_body_without_errors_names_no_errors_blob()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);

        var body = await IngestAsync(admin, Gdp);

        Assert.Equal(0, body.GetProperty("errorCount").GetInt32());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("errorsBlob").ValueKind);
        Assert.Empty(body.GetProperty("errorCounts").EnumerateArray());
    }

    private static async Task<List<string>> ReadBlobLinesAsync(FunctionAppFactory app, string name)
    {
        Assert.StartsWith("raw/", name);
        var content = await app.Services.GetRequiredService<IndicatorTables>().Raw.GetBlobClient(name["raw/".Length..]).DownloadContentAsync();
        return content.Value.Content.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }
}
