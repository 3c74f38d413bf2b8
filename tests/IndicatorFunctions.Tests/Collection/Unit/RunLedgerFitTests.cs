using System.Text.Json;
using IndicatorFunctions.Collection;
using IndicatorFunctions.Runs;

namespace IndicatorFunctions.Tests.Collection.Unit;

public sealed class RunLedgerFitTests
{
    // A table string property holds at most 32K characters; Fit aims below that with room to spare.
    private const int Limit = 30_000;

    private static SourceOutcome DropOutcome(int files, int nameLength) => new(
        "district-drops", "blob-drop", SourceStatus.Fetched, $"{files} file(s) collected",
        RowsAccepted: files * 10,
        Files: Enumerable.Range(0, files)
            .Select(i => new FileOutcome($"uploads/2025/{i:D5}-" + new string('n', nameLength), "collected", null, $"sources/district-drops/{i:D64}.csv", 10, 0))
            .ToList());

    [Fact]
    public void Small_outcome_is_serialized_whole_in_camel_case_with_status_names()
    {
        var outcome = new SourceOutcome("gdp-bureau", "http-csv", SourceStatus.Fetched, "12 row(s) accepted", Attempts: 2, HttpStatus: 200, Bytes: 1234,
            RowsAccepted: 12, Errors: [new RowErrorSample(3, "value", "not a number")],
            Files: [new FileOutcome("a.csv", "collected", null, "sources/x/a.csv", 12, 0)]);

        var json = RunLedger.Fit(outcome);

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal("gdp-bureau", root.GetProperty("source").GetString());
        Assert.Equal("http-csv", root.GetProperty("kind").GetString());
        Assert.Equal("fetched", root.GetProperty("status").GetString()); // a name, not the enum's number
        Assert.Equal(2, root.GetProperty("attempts").GetInt32());
        Assert.Equal(200, root.GetProperty("httpStatus").GetInt32());
        Assert.Equal(1234, root.GetProperty("bytes").GetInt64());
        Assert.Equal(12, root.GetProperty("rowsAccepted").GetInt32());
        Assert.Equal("value", root.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal("a.csv", Assert.Single(root.GetProperty("files").EnumerateArray()).GetProperty("name").GetString());
        Assert.DoesNotContain("\"Source\"", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SourceStatus.Fetched, "fetched")]
    [InlineData(SourceStatus.Unchanged, "unchanged")]
    [InlineData(SourceStatus.Failed, "failed")]
    [InlineData(SourceStatus.Skipped, "skipped")]
    public void Status_is_written_as_its_lower_case_name(SourceStatus status, string name)
    {
        using var document = JsonDocument.Parse(RunLedger.Fit(new SourceOutcome("s", "http-json", status, null)));

        Assert.Equal(name, document.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public void Outcome_that_fits_is_not_trimmed()
    {
        var outcome = DropOutcome(files: 50, nameLength: 20);

        using var document = JsonDocument.Parse(RunLedger.Fit(outcome));

        var files = document.RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(50, files.Count);
        Assert.DoesNotContain(files, f => f.GetProperty("status").GetString() == "omitted");
    }

    [Fact]
    public void Outcome_with_thousands_of_files_is_cut_to_fit_and_says_how_many_were_left_out()
    {
        var outcome = DropOutcome(files: 2_000, nameLength: 200);
        Assert.True(JsonSerializer.Serialize(outcome).Length > 10 * Limit); // far too big as it stands

        var json = RunLedger.Fit(outcome);

        Assert.True(json.Length <= Limit, $"{json.Length} characters");
        using var document = JsonDocument.Parse(json); // still valid JSON
        var root = document.RootElement;
        var files = root.GetProperty("files").EnumerateArray().ToList();
        var listed = files.Where(f => f.GetProperty("status").GetString() != "omitted").ToList();
        var omitted = Assert.Single(files, f => f.GetProperty("status").GetString() == "omitted");
        Assert.Equal("omitted", files[^1].GetProperty("status").GetString()); // the note comes last
        Assert.NotEmpty(listed);
        // The first files are the ones kept, in order.
        Assert.Equal(outcome.Files!.Take(listed.Count).Select(f => f.Name), listed.Select(f => f.GetProperty("name").GetString()));
        // Listed plus left out accounts for every file.
        Assert.Equal($"({2_000 - listed.Count} more files not listed)", omitted.GetProperty("name").GetString());
        // Everything but the file list is kept.
        Assert.Equal("district-drops", root.GetProperty("source").GetString());
        Assert.Equal("fetched", root.GetProperty("status").GetString());
        Assert.Equal(20_000, root.GetProperty("rowsAccepted").GetInt32());
    }

    [Theory]
    [InlineData(1, 40_000)] // one file whose name alone is too long
    [InlineData(3, 15_000)]
    [InlineData(300, 1_000)]
    [InlineData(10_000, 10)]
    public void Outcome_too_big_for_a_table_string_always_comes_out_small_enough(int files, int nameLength)
    {
        var outcome = DropOutcome(files, nameLength);

        var json = RunLedger.Fit(outcome);

        Assert.True(json.Length <= Limit, $"{json.Length} characters");
        using var document = JsonDocument.Parse(json);
        var entries = document.RootElement.GetProperty("files").EnumerateArray().ToList();
        var listed = entries.Count(f => f.GetProperty("status").GetString() != "omitted");
        Assert.Equal($"({files - listed} more files not listed)", entries[^1].GetProperty("name").GetString());
    }

    [Fact]
    public void Non_ascii_file_names_are_measured_as_written()
    {
        // The default encoder writes 徐 as \u5F90: six characters each, which is what the table stores.
        var outcome = DropOutcome(files: 1_000, nameLength: 0) with
        {
            Files = Enumerable.Range(0, 1_000).Select(i => new FileOutcome($"徐汇区/{i}-" + new string('徐', 40), "collected", null, null, 1, 0)).ToList(),
        };

        var json = RunLedger.Fit(outcome);

        Assert.True(json.Length <= Limit, $"{json.Length} characters");
        using var document = JsonDocument.Parse(json);
        Assert.StartsWith("徐汇区/0-", document.RootElement.GetProperty("files")[0].GetProperty("name").GetString());
    }

    // Regression: Fit used to shorten only Files, so a failed drop source whose reason listed hundreds of long file
    // names (or huge error samples) could not be written, and the run stayed "running" for ever.
    [Theory]
    [InlineData(20_000, 0, 0)]      // a reason alone over the limit
    [InlineData(500, 5, 8_000)]     // error samples far too long
    [InlineData(40_000, 5, 8_000)]  // everything at once, with many files
    public void Any_outcome_comes_out_small_enough_with_its_reason_cut_not_dropped(int reasonLength, int errorCount, int messageLength)
    {
        var outcome = DropOutcome(files: 2_000, nameLength: 120) with
        {
            Status = SourceStatus.Failed,
            Reason = new string('r', reasonLength),
            Errors = Enumerable.Range(1, errorCount).Select(i => new RowErrorSample(i, "value", new string('m', messageLength))).ToList(),
        };

        var json = RunLedger.Fit(outcome);

        Assert.True(json.Length <= Limit, $"{json.Length} characters");
        var root = JsonDocument.Parse(json).RootElement;
        Assert.Equal("failed", root.GetProperty("status").GetString());
        Assert.StartsWith("rrrr", root.GetProperty("reason").GetString());
        Assert.True(root.GetProperty("reason").GetString()!.Length <= 2000);
    }

    [Fact]
    public void The_runs_own_errors_keep_at_most_twenty_short_entries_and_say_how_many_more()
    {
        var errors = Enumerable.Range(1, 300).Select(i => $"source s{i}: " + new string('x', 2_000)).ToList();

        var fitted = RunLedger.FitErrors(errors);

        Assert.Equal(20, fitted.Count);
        Assert.All(fitted, e => Assert.True(e.Length <= 500));
        Assert.StartsWith("source s1: xxx", fitted[0]);
        Assert.Equal("… and 281 more; see each source's outcome", fitted[^1]);
        Assert.Equal(["a", "b"], RunLedger.FitErrors(["a", "b"]));
    }
}
