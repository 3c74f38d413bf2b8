using IndicatorFunctions.Bench;

// Benchmarks print figures; they are not tests. See scripts/bench-storage.sh for the comparison run.
return args.FirstOrDefault() switch
{
    "table-upsert" => await TableUpsertBenchmark.RunAsync(),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: IndicatorFunctions.Bench table-upsert   (settings from BENCH_* environment variables)");
    return 2;
}
