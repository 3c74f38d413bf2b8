using System.Diagnostics;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using IndicatorFunctions.Data;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Samples;
using Microsoft.Extensions.Configuration;

namespace IndicatorFunctions.Bench;

/// <summary>
/// The raw read ceiling the app's read endpoints are compared with: the records the series, cross-section and
/// rollups endpoints serve (<see cref="PipelineBenchmark.Targets"/>), read with Azure.Data.Tables straight from
/// storage — from the table of run BENCH_RUN_ID (a full run), keyed as the app stores them
/// (<see cref="IndicatorTables"/>, <see cref="AggregateRecords"/>) — by BENCH_RAW_READ_CONCURRENCY (16) readers for
/// BENCH_RAW_READ_SECONDS (5) per endpoint: a point read of the record's row (the data the endpoint serves; one row
/// when the record is under 420,000 characters, as every record of the synthetic data is). Also the rate of point
/// reads of observations, a different one each time (<c>observationReadsPerSecond</c>): the read an incremental run
/// makes per changed point, so its floor. Prints one JSON line, flat
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
            var table = tables.Aggregates(generation);
            var (partition, row) = (target.Record.Indicator, AggregateRecords.RowKey(target.Record, 0));
            // Untimed: the record must be there in one row (else the app's layout moved and this reads something else).
            var first = (await table.GetEntityIfExistsAsync<TableEntity>(partition, row)) is { HasValue: true, Value: { } found } ? found
                : throw new InvalidOperationException($"record '{row}' of table {table.Name} is missing: has the aggregated layout changed? (PipelineBenchmark.Targets)");
            if (AggregateRecords.PartsOf(first) != 1)
                throw new InvalidOperationException($"record '{row}' has {AggregateRecords.PartsOf(first)} rows; the raw read reads one");

            var (reads, latencies) = await HammerAsync(seconds, concurrency, async () => await table.GetEntityAsync<TableEntity>(partition, row));

            result[target.Endpoint + "Path"] = target.Path;
            result[target.Endpoint + "Table"] = table.Name;
            result[target.Endpoint + "Partition"] = $"{partition} / {row}";
            result[target.Endpoint + "Rows"] = AggregateRecords.Join([first]).Length;
            result[target.Endpoint + "ReadsPerSecond"] = Math.Round(reads / (double)seconds);
            result[target.Endpoint + "P50Ms"] = Percentile(latencies, 0.50);
            result[target.Endpoint + "P99Ms"] = Percentile(latencies, 0.99);
            result[target.Endpoint + "PointReadsPerSecond"] = Math.Round(reads / (double)seconds);
            Console.Error.WriteLine($"    raw {target.Endpoint}: record of {result[target.Endpoint + "Rows"]} characters, {result[target.Endpoint + "ReadsPerSecond"]} point reads/s");
        }

        // What an incremental run does once per changed point: a point read of one observation, a different one each
        // time (every 97th of the data set, in turn), by as many readers as the run uses.
        var observations = data.Observations().Where((_, i) => i % 97 == 0)
            .Select(o => (Partition: new SeriesKey(o.Indicator!, o.District!, o.Sector ?? Slug.TotalSector).PartitionKey, Row: Period.Parse(o.Period!).ToString())).ToArray();
        var next = -1;
        var (observationReads, observationLatencies) = await HammerAsync(seconds, TableAggregateStore.ReadConcurrency, async () =>
        {
            var (partition, row) = observations[(int)((uint)Interlocked.Increment(ref next) % (uint)observations.Length)];
            await tables.Observations.GetEntityAsync<ObservationEntity>(partition, row);
        });
        result["observationReaders"] = TableAggregateStore.ReadConcurrency;
        result["observationReadsPerSecond"] = Math.Round(observationReads / (double)seconds);
        result["observationP50Ms"] = Percentile(observationLatencies, 0.50);
        Console.Error.WriteLine($"    raw observation point reads: {result["observationReadsPerSecond"]}/s ({TableAggregateStore.ReadConcurrency} readers)");
        return result;
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
