using System.Diagnostics;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using IndicatorFunctions.Data;
using IndicatorFunctions.Samples;
using Microsoft.Extensions.Configuration;

namespace IndicatorFunctions.Bench;

/// <summary>
/// The raw read ceiling the app's read endpoints are compared with: the partitions the series, cross-section and
/// rollups endpoints serve (<see cref="PipelineBenchmark.Targets"/>), read with Azure.Data.Tables straight from
/// storage — from the generation of run BENCH_RUN_ID, named and keyed as the app stores them (<see cref="IndicatorTables"/>,
/// <see cref="SeriesPointEntity"/>, <see cref="RollupEntity"/>) — by BENCH_RAW_READ_CONCURRENCY (16) readers for
/// BENCH_RAW_READ_SECONDS (5) per endpoint: a partition query (the whole partition: the data the endpoint serves),
/// then as long again a point read of the partition's first row. Prints one JSON line, flat
/// (<c>{endpoint}ReadsPerSecond</c>, <c>{endpoint}P50Ms</c>, …) for the script.
/// Environment: BENCH_CONNECTION_STRING (required), BENCH_RUN_ID (required).
/// </summary>
public static class TableReadBenchmark
{
    public static async Task<JsonObject> RunAsync(SyntheticData data)
    {
        var connection = PipelineBenchmark.Env("BENCH_CONNECTION_STRING", "");
        var generation = PipelineBenchmark.Env("BENCH_RUN_ID", "");
        if (connection.Length == 0 || generation.Length == 0)
            throw new InvalidOperationException("raw-read needs BENCH_CONNECTION_STRING and BENCH_RUN_ID");
        var seconds = PipelineBenchmark.Int("BENCH_RAW_READ_SECONDS", 5);
        var concurrency = PipelineBenchmark.Int("BENCH_RAW_READ_CONCURRENCY", 16);
        var settings = new Dictionary<string, string?> { [StorageAccount.Setting] = connection };
        var tables = new IndicatorTables(StorageAccount.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()));

        var result = new JsonObject { ["step"] = "raw-read", ["runId"] = generation, ["concurrency"] = concurrency, ["seconds"] = seconds };
        foreach (var target in PipelineBenchmark.Targets(data, 0))
        {
            var table = tables.Aggregate(target.Table, generation);
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {target.Partition}");
            // Untimed: the partition must be there (else the app's layout moved and this reads nothing), and its first row is the point read's.
            var rows = await QueryAsync(table, filter);
            if (rows.Count == 0)
                throw new InvalidOperationException($"partition '{target.Partition}' of table {table.Name} is empty: has the aggregated tables' layout changed? (PipelineBenchmark.Targets)");
            var first = rows[0].RowKey;

            var (queries, queryLatencies) = await HammerAsync(seconds, concurrency, async () =>
            {
                if ((await QueryAsync(table, filter)).Count != rows.Count)
                    throw new InvalidOperationException($"partition '{target.Partition}' changed size while being read");
            });
            var (points, _) = await HammerAsync(seconds, concurrency, async () => await table.GetEntityAsync<TableEntity>(target.Partition, first));

            result[target.Endpoint + "Path"] = target.Path;
            result[target.Endpoint + "Table"] = table.Name;
            result[target.Endpoint + "Partition"] = target.Partition;
            result[target.Endpoint + "Rows"] = rows.Count;
            result[target.Endpoint + "ReadsPerSecond"] = Math.Round(queries / (double)seconds);
            result[target.Endpoint + "P50Ms"] = Percentile(queryLatencies, 0.50);
            result[target.Endpoint + "P99Ms"] = Percentile(queryLatencies, 0.99);
            result[target.Endpoint + "PointReadsPerSecond"] = Math.Round(points / (double)seconds);
            Console.Error.WriteLine($"    raw {target.Endpoint}: {rows.Count} rows, {result[target.Endpoint + "ReadsPerSecond"]} partition queries/s, {result[target.Endpoint + "PointReadsPerSecond"]} point reads/s");
        }
        return result;
    }

    private static async Task<List<TableEntity>> QueryAsync(TableClient table, string filter)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter))
            rows.Add(row);
        return rows;
    }

    /// <summary>Runs <paramref name="read"/> in a closed loop on N readers for the duration; the reads done and each one's latency (ms).</summary>
    private static async Task<(long Count, List<double> LatenciesMs)> HammerAsync(int seconds, int concurrency, Func<Task> read)
    {
        await read(); // connection and JIT, untimed
        var deadline = Stopwatch.StartNew();
        var perReader = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            var latencies = new List<double>();
            while (deadline.Elapsed.TotalSeconds < seconds)
            {
                var watch = Stopwatch.StartNew();
                await read();
                latencies.Add(watch.Elapsed.TotalMilliseconds);
            }
            return latencies;
        }));
        var all = perReader.SelectMany(l => l).ToList();
        return (all.Count, all);
    }

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
            return 0;
        var sorted = values.Order().ToList();
        return Math.Round(sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)], 2);
    }
}
