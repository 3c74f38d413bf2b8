using System.Diagnostics;
using System.Text.Json;
using IndicatorFunctions.Storage.Tables;

namespace IndicatorFunctions.Bench;

/// <summary>
/// Batch-upserts N entities into one table with our Table client and prints one JSON line — the same data,
/// batching and concurrency as bench/sdk-upsert.mjs does with the official SDK, so the two rates compare.
/// </summary>
public static class TableUpsertBenchmark
{
    public static async Task<int> RunAsync()
    {
        var connection = Environment.GetEnvironmentVariable("BENCH_CONNECTION_STRING")
            ?? throw new InvalidOperationException("BENCH_CONNECTION_STRING is required");
        var tableName = Env("BENCH_TABLE", "benchours");
        var count = int.Parse(Env("BENCH_ENTITIES", "50000"));
        var partitions = int.Parse(Env("BENCH_PARTITIONS", "20"));
        var batch = int.Parse(Env("BENCH_BATCH", "100"));
        var concurrency = int.Parse(Env("BENCH_CONCURRENCY", "4"));

        var table = new TableServiceClient(connection).GetTableClient(tableName);
        await table.CreateIfNotExistsAsync();

        // Built before the clock starts, as the SDK side does: we time the writes, not data generation.
        var epoch = new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var batches = Enumerable.Range(0, count)
            .Select(i => new TableEntity($"p{i % partitions:D3}", i.ToString("D8"))
            {
                ["District"] = $"district-{i % 97}",
                ["Indicator"] = "gdp",
                ["Period"] = $"2021-Q{1 + i % 4}",
                ["Value"] = i * 1.5 + 0.25,
                ["Count"] = i * 1_000_003L,
                ["Final"] = i % 2 == 0,
                ["ObservedAt"] = epoch.AddMinutes(i),
            })
            .GroupBy(e => e.PartitionKey)
            .SelectMany(g => g.Chunk(batch))
            .Select(chunk => chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)).ToList())
            .ToList();

        var watch = Stopwatch.StartNew();
        var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = concurrency },
            async (actions, ct) => await table.SubmitTransactionAsync(actions, ct));
        var seconds = watch.Elapsed.TotalSeconds;
        // The client's own CPU while writing: what it costs beside the emulator's work.
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;

        var stored = 0;
        await foreach (var _ in table.QueryAsync(select: ["RowKey"]))
            stored++;
        if (stored != count)
        {
            Console.Error.WriteLine($"table {tableName} holds {stored} entities, expected {count}");
            return 1;
        }

        Console.WriteLine(JsonSerializer.Serialize(new
        {
            client = "IndicatorFunctions.Storage " + typeof(TableClient).Assembly.GetName().Version,
            entities = count,
            partitions,
            batch,
            concurrency,
            seconds = Math.Round(seconds, 3),
            entitiesPerSecond = Math.Round(count / seconds),
            cpuSeconds = Math.Round(cpuSeconds, 3),
        }));
        return 0;
    }

    private static string Env(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;
}
