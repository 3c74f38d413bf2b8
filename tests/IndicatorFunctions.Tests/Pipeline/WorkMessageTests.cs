using IndicatorFunctions.Aggregation;

namespace IndicatorFunctions.Tests.Pipeline;

/// <summary>What a worker accepts as a work item, and how a fanned-out run's items sum up per worker.</summary>
public sealed class WorkMessageTests
{
    private const string RunId = "2516062001682673092-011d4b";

    [Theory]
    [InlineData("""{"runId":"2516062001682673092-011d4b","indicator":"gdp"}""", true)]
    [InlineData("""{"indicator":"gdp","runId":"2516062001682673092-011d4b"}""", true)]
    [InlineData("""{"runId":"2516062001682673092-011d4b","indicator":"gdp","extra":1}""", true)]
    [InlineData("""{"runId":"2516062001682673092-011d4b"}""", false)]
    [InlineData("""{"indicator":"gdp"}""", false)]
    [InlineData("""{"runId":"2516062001682673092-011d4b","indicator":""}""", false)]
    [InlineData("""{"runId":"not-a-run","indicator":"gdp"}""", false)]
    [InlineData("""{"runId":"../2516062001682673092-011d4b","indicator":"gdp"}""", false)]
    [InlineData("""{"runId":2516062001682673092,"indicator":"gdp"}""", false)]
    [InlineData("""{"runId":"2516062001682673092-011d4b","runId":"2516062001682673092-011d4c","indicator":"gdp"}""", false)]
    [InlineData("""[]""", false)]
    [InlineData("""null""", false)]
    [InlineData("""gdp""", false)]
    [InlineData("", false)]
    public void A_message_is_a_work_item_only_with_a_run_id_and_an_indicator(string body, bool valid)
    {
        var parsed = FanOut.TryParse(BinaryData.FromString(body), out var message);

        Assert.Equal(valid, parsed);
        if (valid)
            Assert.Equal(new WorkMessage(RunId, "gdp"), message);
    }

    [Fact]
    public void The_summary_gives_each_worker_its_items_and_sums_and_counts_every_item_once()
    {
        WorkItemEntity Item(string indicator, string worker, long read, long busy) => new()
        {
            RowKey = indicator, Worker = worker, Status = WorkItemEntity.Done, ObservationsRead = read, GrowthWritten = 2 * read, RollupsWritten = read / 10, BusyMs = busy,
        };

        var summary = FanOut.Summarize([Item("a", "w2", 100, 5), Item("b", "w1", 40, 7), Item("c", "w2", 60, 3), Item("d", "w1", 0, 1)]);

        Assert.Equal(4, summary.Items);
        Assert.Equal(
            [new WorkerShare("w1", 2, 40, 80, 4, 8), new WorkerShare("w2", 2, 160, 320, 16, 8)],
            summary.Workers);
    }
}
