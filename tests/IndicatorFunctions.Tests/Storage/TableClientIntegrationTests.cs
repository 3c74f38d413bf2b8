using Azure;
using IndicatorFunctions.Storage.Tables;
using IndicatorFunctions.Tests.Infrastructure;

namespace IndicatorFunctions.Tests.Storage;

[Collection(AzuriteCollection.Name)]
public sealed class TableClientIntegrationTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Entity_round_trips_every_supported_type()
    {
        var table = await azurite.NewTableAsync();
        var when = new DateTimeOffset(2021, 9, 30, 12, 34, 56, 789, TimeSpan.Zero).AddTicks(1234);
        var id = Guid.NewGuid();
        var entity = new TableEntity("xuhui", "gdp|2021")
        {
            ["Name"] = "徐汇 GDP 'quoted'",
            ["Value"] = 1.9e11,
            ["Whole"] = 2.0,
            ["NotANumber"] = double.NaN,
            ["Small"] = 42,
            ["Big"] = 9_007_199_254_740_993L,
            ["Final"] = true,
            ["At"] = when,
            ["Id"] = id,
            ["Raw"] = new byte[] { 0, 1, 254, 255 },
        };

        await table.AddEntityAsync(entity);
        var read = (await table.GetEntityAsync("xuhui", "gdp|2021")).Value;

        Assert.Equal("徐汇 GDP 'quoted'", read.GetString("Name"));
        Assert.Equal(1.9e11, read["Value"]);
        Assert.IsType<double>(read["Whole"]);
        Assert.Equal(2.0, read.GetDouble("Whole"));
        Assert.True(double.IsNaN(read.GetDouble("NotANumber")!.Value));
        Assert.Equal(42, read["Small"]);
        Assert.Equal(9_007_199_254_740_993L, read["Big"]);
        Assert.Equal(true, read.GetBoolean("Final"));
        Assert.Equal(when, read.GetDateTimeOffset("At"));
        Assert.Equal(id, read.GetGuid("Id"));
        Assert.Equal(new byte[] { 0, 1, 254, 255 }, read.GetBinary("Raw"));
        Assert.NotEqual(default, read.ETag);
        Assert.NotNull(read.Timestamp);
    }

    [Theory]
    [InlineData("it's")]
    [InlineData("a b")]
    [InlineData("100%")]
    [InlineData("x' or PartitionKey ne '")]
    [InlineData("区县")]
    [InlineData("a+b&c=d")]
    public async Task Keys_with_quotes_spaces_and_unicode_are_addressable(string key)
    {
        var table = await azurite.NewTableAsync();
        await table.UpsertEntityAsync(new TableEntity(key, key) { ["V"] = 1 });

        var read = await table.GetEntityIfExistsAsync(key, key);

        Assert.NotNull(read);
        Assert.Equal(key, read.PartitionKey);
        await table.DeleteEntityAsync(key, key);
        Assert.Null(await table.GetEntityIfExistsAsync(key, key));
    }

    [Fact]
    public async Task Add_of_an_existing_entity_is_409_EntityAlreadyExists()
    {
        var table = await azurite.NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r"));

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddEntityAsync(new TableEntity("p", "r")));

        Assert.Equal(409, ex.Status);
        Assert.Equal("EntityAlreadyExists", ex.ErrorCode);
    }

    [Fact]
    public async Task Upsert_merge_keeps_other_properties_and_replace_drops_them()
    {
        var table = await azurite.NewTableAsync();
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["A"] = "a", ["B"] = "b" });

        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["B"] = "b2" }, TableUpdateMode.Merge);
        var merged = (await table.GetEntityAsync("p", "r")).Value;
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["C"] = "c" }, TableUpdateMode.Replace);
        var replaced = (await table.GetEntityAsync("p", "r")).Value;

        Assert.Equal(("a", "b2"), (merged.GetString("A"), merged.GetString("B")));
        Assert.Null(replaced.GetString("A"));
        Assert.Equal("c", replaced.GetString("C"));
    }

    [Fact]
    public async Task Update_with_a_stale_ETag_is_412_and_leaves_the_entity_unchanged()
    {
        var table = await azurite.NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r") { ["V"] = 1 });
        var first = (await table.GetEntityAsync("p", "r")).Value;
        await table.UpdateEntityAsync(new TableEntity("p", "r") { ["V"] = 2 }, first.ETag);

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() =>
            table.UpdateEntityAsync(new TableEntity("p", "r") { ["V"] = 3 }, first.ETag));

        Assert.Equal(412, ex.Status);
        Assert.Equal("UpdateConditionNotSatisfied", ex.ErrorCode);
        Assert.Equal(2, (await table.GetEntityAsync("p", "r")).Value.GetInt32("V"));
    }

    [Fact]
    public async Task Delete_with_a_stale_ETag_is_412_and_with_the_current_ETag_deletes()
    {
        var table = await azurite.NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r") { ["V"] = 1 });
        var stale = (await table.GetEntityAsync("p", "r")).Value.ETag;
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["V"] = 2 });
        var current = (await table.GetEntityAsync("p", "r")).Value.ETag;

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => table.DeleteEntityAsync("p", "r", stale));
        await table.DeleteEntityAsync("p", "r", current);

        Assert.Equal(412, ex.Status);
        Assert.Null(await table.GetEntityIfExistsAsync("p", "r"));
    }

    [Fact]
    public async Task Query_follows_continuation_across_more_than_1000_entities()
    {
        var table = await azurite.NewTableAsync();
        const int count = 2_345;
        foreach (var chunk in Enumerable.Range(0, count).Chunk(100))
            await table.SubmitTransactionAsync(chunk.Select(i =>
                new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity("p", i.ToString("D6")) { ["I"] = i })));

        var pages = new List<int>();
        var seen = new List<int>();
        await foreach (var page in table.QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {"p"}"), select: ["I"]).AsPages())
        {
            pages.Add(page.Values.Count);
            seen.AddRange(page.Values.Select(e => e.GetInt32("I")!.Value));
        }

        Assert.Equal(Enumerable.Range(0, count), seen);
        Assert.True(pages.Count >= 3, $"expected at least 3 pages of ≤ 1000, got {string.Join(",", pages)}");
        Assert.All(pages, size => Assert.InRange(size, 0, 1000));
    }

    [Fact]
    public async Task Query_with_top_pages_by_that_size_and_still_returns_everything()
    {
        var table = await azurite.NewTableAsync();
        await table.SubmitTransactionAsync(Enumerable.Range(0, 25).Select(i =>
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", i.ToString("D3")))));

        var pages = new List<int>();
        await foreach (var page in table.QueryAsync(maxPerPage: 10).AsPages())
            pages.Add(page.Values.Count);

        Assert.Equal([10, 10, 5], pages);
    }

    [Fact]
    public async Task Filter_injection_through_a_value_matches_nothing()
    {
        var table = await azurite.NewTableAsync();
        await table.UpsertEntityAsync(new TableEntity("secret", "1"));
        await table.UpsertEntityAsync(new TableEntity("public", "1"));

        var hostile = "x' or PartitionKey ne '";
        var found = new List<TableEntity>();
        await foreach (var e in table.QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {hostile}")))
            found.Add(e);

        Assert.Empty(found);
    }

    [Fact]
    public async Task A_100_operation_batch_commits_atomically()
    {
        var table = await azurite.NewTableAsync();
        var actions = Enumerable.Range(0, 100).Select(i =>
            new TableTransactionAction(TableTransactionActionType.UpsertMerge, new TableEntity("batch", $"r{i:D3}") { ["I"] = i })).ToList();

        var response = await table.SubmitTransactionAsync(actions);

        Assert.Equal(100, response.Value.Count);
        Assert.All(response.Value, r => Assert.Equal(204, r.Status));
        var count = 0;
        await foreach (var _ in table.QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {"batch"}")))
            count++;
        Assert.Equal(100, count);
    }

    [Fact]
    public async Task A_failing_batch_reports_the_failed_index_and_rolls_back()
    {
        var table = await azurite.NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r07") { ["Original"] = true });
        var actions = Enumerable.Range(0, 10).Select(i =>
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"r{i:D2}"))).ToList();

        var ex = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(actions));

        Assert.Equal(7, ex.FailedTransactionActionIndex);
        Assert.Equal(409, ex.Status);
        Assert.Equal("EntityAlreadyExists", ex.ErrorCode);
        Assert.Null(await table.GetEntityIfExistsAsync("p", "r00"));
        Assert.Equal(true, (await table.GetEntityAsync("p", "r07")).Value.GetBoolean("Original"));
    }

    [Fact]
    public async Task Batch_mixing_partitions_is_refused_before_any_request()
    {
        var table = azurite.Tables.GetTableClient(AzuriteFixture.UniqueTableName("never"));
        var actions = new[]
        {
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("a", "1")),
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("b", "1")),
        };

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(actions));

        Assert.Contains("actions[1]", ex.Message);
        // The table was never created: had a request gone out, it would have been a 404, not an ArgumentException.
        Assert.DoesNotContain(table.Name, await ListTablesAsync());
    }

    [Fact]
    public async Task Create_if_not_exists_twice_and_delete_twice_succeed()
    {
        var name = AzuriteFixture.UniqueTableName("life");
        var table = azurite.Tables.GetTableClient(name);

        await table.CreateIfNotExistsAsync();
        await table.CreateIfNotExistsAsync();
        Assert.Contains(name, await ListTablesAsync());
        await table.DeleteAsync();
        await table.DeleteAsync();
        Assert.DoesNotContain(name, await ListTablesAsync());
    }

    [Fact]
    public async Task Get_of_a_missing_entity_throws_404_ResourceNotFound()
    {
        var table = await azurite.NewTableAsync();

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => table.GetEntityAsync("p", "missing"));

        Assert.Equal(404, ex.Status);
        Assert.Equal("ResourceNotFound", ex.ErrorCode);
    }

    private async Task<List<string>> ListTablesAsync()
    {
        var names = new List<string>();
        await foreach (var name in azurite.Tables.QueryAsync())
            names.Add(name);
        return names;
    }
}
