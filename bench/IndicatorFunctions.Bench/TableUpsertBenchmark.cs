using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;

namespace IndicatorFunctions.Bench;

/// <summary>
/// The raw write ceiling the app's full run is compared with: batch-upserts N entities (UpsertReplace, one
/// partition per transaction) into one table with Azure.Data.Tables — the SDK the app itself writes with — at the
/// app's parallelism (BatchWriter: 100-operation transactions, 4 in flight) and prints one JSON line.
/// Environment: BENCH_CONNECTION_STRING (required), BENCH_TABLE, BENCH_ENTITIES (50000), BENCH_PARTITIONS (20),
/// BENCH_BATCH (100), BENCH_CONCURRENCY (4), BENCH_PARTITION_PREFIX ("p": the partitions are the prefix and three
/// digits, so the entities can go into a table that already holds others, and only they are counted).
/// </summary>
public static class TableUpsertBenchmark
{
    public static async Task<int> RunAsync()
    {
        var connection = Environment.GetEnvironmentVariable("BENCH_CONNECTION_STRING")
            ?? throw new InvalidOperationException("BENCH_CONNECTION_STRING is required");
        var tableName = Env("BENCH_TABLE", "benchupsert");
        var count = Int("BENCH_ENTITIES", 50000);
        var partitions = Int("BENCH_PARTITIONS", 20);
        var batch = Math.Clamp(Int("BENCH_BATCH", 100), 1, 100);
        var concurrency = Int("BENCH_CONCURRENCY", 4);
        var prefix = Env("BENCH_PARTITION_PREFIX", "p");

        var table = new TableServiceClient(connection).GetTableClient(tableName);
        await table.CreateIfNotExistsAsync();

        // Built before the clock starts: we time the writes, not data generation. Seven typed properties, about the
        // size of the app's growth and rollup entities.
        var epoch = new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var batches = Enumerable.Range(0, count)
            .Select(i => new TableEntity($"{prefix}{i % partitions:D3}", i.ToString("D8", CultureInfo.InvariantCulture))
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

        // One small transaction first, untimed: connection set-up and JIT are not the rate being measured.
        await table.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity($"{prefix}warmup", "0"))]);

        var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = concurrency },
            async (actions, ct) => await table.SubmitTransactionAsync(actions, ct));
        var seconds = watch.Elapsed.TotalSeconds;
        // The client's own CPU while writing: what it costs beside the emulator's work.
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;

        var stored = 0;
        // The prefix and a digit up to the prefix and ':' (the character after '9'): this run's partitions only.
        await foreach (var _ in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey ge {prefix + "0"} and PartitionKey lt {prefix + ":"}"), select: ["RowKey"]))
            stored++;
        if (stored != count)
        {
            Console.Error.WriteLine($"table {tableName} holds {stored} entities under partition prefix {prefix}, expected {count}");
            return 1;
        }

        Console.WriteLine(JsonSerializer.Serialize(new
        {
            client = "Azure.Data.Tables " + typeof(TableClient).Assembly.GetName().Version,
            entities = count,
            partitions,
            batch,
            concurrency,
            seconds = Math.Round(seconds, 3),
            entitiesPerSecond = Math.Round(count / seconds),
            cpuSeconds = Math.Round(cpuSeconds, 3),
            cpuSecondsPer10k = Math.Round(cpuSeconds * 10_000 / count, 3),
        }));
        return 0;
    }

    private static int Int(string name, int fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    private static string Env(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;
}
