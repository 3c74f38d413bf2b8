using IndicatorFunctions.Bench;

// Benchmarks print figures; they are not tests. See scripts/bench-pipeline.sh, scripts/bench-fanout.sh, scripts/bench-ingest.sh, scripts/bench-replatform.sh, scripts/bench-collect.sh, scripts/bench-reliability.sh, scripts/bench-extraction.sh and scripts/score-extraction.sh.
return args.FirstOrDefault() switch
{
    "table-upsert" => await TableUpsertBenchmark.RunAsync(),
    "aggregate" => AggregateBenchmark.Run(args[1..]),
    "pipeline" => await PipelineBenchmark.RunAsync(args.ElementAtOrDefault(1)),
    "fanout" => await FanOutBenchmark.RunAsync(),
    "ingest" => await IngestBenchmark.RunAsync(args.ElementAtOrDefault(1), args.ElementAtOrDefault(2)),
    "collect" => await CollectBenchmark.RunAsync(),
    "reliability" => await ReliabilityBenchmark.RunAsync(),
    "extraction" => ExtractionBenchmark.Run(args[1..]),
    "score-extraction" when args.Length == 3 => ExtractionBenchmark.Score(args[1], args[2]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: IndicatorFunctions.Bench table-upsert
                   Azure.Data.Tables batch upsert into BENCH_CONNECTION_STRING (100-op transactions, 4 in flight;
                   BENCH_TABLE, BENCH_ENTITIES, BENCH_PARTITIONS, BENCH_BATCH, BENCH_CONCURRENCY)
               IndicatorFunctions.Bench aggregate [BenchmarkDotNet options]
                   YoY and rollups over 1,000,000 synthetic observations in memory
               IndicatorFunctions.Bench pipeline load|revise|revise-one|run-full|run-incremental|cold-reads|raw-read
                   one step against a running app (BENCH_APP_URL, BENCH_APP_PID; raw-read: BENCH_CONNECTION_STRING; see scripts/bench-pipeline.sh)
               IndicatorFunctions.Bench fanout
                   one full run on a running coordinator (BENCH_APP_URL), timed, with each worker's share (items,
                   observations, busy and CPU seconds of BENCH_APP_PIDS) and Azurite's CPU (see scripts/bench-fanout.sh)
               IndicatorFunctions.Bench ingest catalog | load json|csv | resend | revise
                   one ingestion step against a running app (BENCH_APP_URL, BENCH_APP_PID; see scripts/bench-ingest.sh)
               IndicatorFunctions.Bench collect
                   serves BENCH_SOURCES CSVs of BENCH_ROWS rows from a local server, configures them as http-csv sources
                   of a running app (BENCH_APP_URL) and times two collecting runs (see scripts/bench-collect.sh)
               IndicatorFunctions.Bench reliability
                   owns Azurite (disk) and the app (BENCH_AZURITE, BENCH_APP_DIR, BENCH_WORK): reads and runs under
                   200 readers, storage paused/killed and the app killed mid-run (see scripts/bench-reliability.sh)
               IndicatorFunctions.Bench extraction [BenchmarkDotNet options]
                   press-release extraction of every article in BENCH_ARTICLES (default: the test fixtures), one thread
               IndicatorFunctions.Bench score-extraction GOLD.jsonl ARTICLES_DIR
                   precision and recall of the extractor on annotated articles (see scripts/score-extraction.sh)
        """);
    return 2;
}
