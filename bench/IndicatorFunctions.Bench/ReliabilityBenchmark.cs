using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using IndicatorFunctions.Samples;

namespace IndicatorFunctions.Bench;

/// <summary>
/// scripts/bench-reliability.sh: the real app (Release, local mode) and Azurite (disk persistence, so it can be killed
/// and restarted with its data), both owned by this program, loaded with <see cref="SyntheticData"/> through the API.
/// Measures idle read throughput (N concurrent readers on random aggregate URLs) and an idle full run, then four
/// scenarios — a full run under N readers; storage paused (SIGSTOP) mid-run; storage killed (SIGKILL) mid-run and
/// restarted; the app killed mid-run and restarted — and prints, for each, the requests and errors by status, read
/// throughput and run duration against idle, and whether every aggregate is identical to a clean full run over the
/// same stored observations. Every 200 a reader got is also checked against the snapshot of the run it names.
/// Environment: BENCH_WORK, BENCH_AZURITE (the azurite command), BENCH_APP_DIR, BENCH_READERS (200),
/// BENCH_READ_SECONDS (15), BENCH_PAUSE_SECONDS (15), BENCH_MID_FRACTION (0.4: "mid-run" is this fraction of the idle
/// full run's duration after the trigger), and the data set of <see cref="PipelineBenchmark.DataSet"/>.
/// Exit code 1 when an aggregate comparison fails.
/// </summary>
public static class ReliabilityBenchmark
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

    public static async Task<int> RunAsync()
    {
        var work = Env("BENCH_WORK", Path.GetTempPath());
        var readers = Int("BENCH_READERS", 200);
        var readSeconds = Int("BENCH_READ_SECONDS", 15);
        var pauseSeconds = Int("BENCH_PAUSE_SECONDS", 15);
        var midFraction = double.Parse(Env("BENCH_MID_FRACTION", "0.4"), CultureInfo.InvariantCulture);
        var data = PipelineBenchmark.DataSet();
        var urls = AggregateSnapshot.Urls(data);

        using var lab = new Lab(work, Env("BENCH_AZURITE", "azurite"), Env("BENCH_APP_DIR", "."));
        await lab.StartStorageAsync();
        await lab.StartAppAsync();
        Progress($"Azurite pid {lab.Storage.Pid} (disk: {lab.StorageFolder}), app pid {lab.App.Pid} at {lab.AppUrl}");

        Progress($"loading {data.Count} observations ({data.Indicators.Count} indicators x {data.Districts.Count} districts x {1 + data.Sectors.Count} series x {data.Periods.Count} periods) through the API...");
        var load = Stopwatch.StartNew();
        await PipelineBenchmark.PutAllAsync(lab.Admin, data.Indicators.Select(i => ($"/api/indicators/{i.Id}", (object)i)));
        await PipelineBenchmark.PutAllAsync(lab.Admin, data.Districts.Select(d => ($"/api/districts/{d.Id}", (object)d)));
        await PipelineBenchmark.PutAllAsync(lab.Admin, data.Clusters.Select(c => ($"/api/clusters/{c.Id}", (object)c)));
        foreach (var body in data.Observations().Chunk(PipelineBenchmark.BodyRows()))
            await PipelineBenchmark.PostObservationsAsync(lab.Admin, body);
        Progress($"  loaded in {load.Elapsed.TotalSeconds:F1} s");

        var snapshots = new Dictionary<string, AggregateSnapshot>();
        var first = await lab.RunAsync(full: true);
        var current = await lab.SnapshotAsync(urls, first, snapshots);
        Progress($"first full run {first.Id}: {first.Status}, {first.DurationMs} ms; {urls.Count} aggregate URLs snapshotted");

        Progress($"idle: {readers} readers for {readSeconds} s...");
        using var readerClient = Readers.Client(lab.AppUrl);
        // Warm-up first (connections, JIT, every partition in the read cache), not counted.
        var warmUp = new Readers(readerClient, urls, readers);
        warmUp.Start();
        await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, readSeconds)));
        await warmUp.StopAsync();
        var idleLoad = new Readers(readerClient, urls, readers);
        var idleReadCpu = new CpuMeter(lab.App, lab.Storage);
        idleLoad.Start();
        await Task.Delay(TimeSpan.FromSeconds(readSeconds));
        var idleReads = await idleLoad.StopAsync();
        var idleReadCpuText = idleReadCpu.Read();
        Progress($"  {idleReads.Requests} requests, {idleReads.PerSecond:F0} req/s; {idleReads.Statuses()}; {idleReadCpuText}");
        var idleRunCpu = new CpuMeter(lab.App, lab.Storage);
        var idleRun = await lab.RunAsync(full: true);
        var idleRunCpuText = idleRunCpu.Read();
        var idleSnapshot = await lab.SnapshotAsync(urls, idleRun, snapshots);
        var repeat = AggregateSnapshot.Differences(current, idleSnapshot);
        Progress($"idle full run {idleRun.Id}: {idleRun.Status}, {idleRun.DurationMs} ms; same figures as the first full run: {repeat.Count == 0}");
        current = idleSnapshot;
        var mid = TimeSpan.FromMilliseconds(Math.Max(500, midFraction * idleRun.DurationMs));

        var results = new List<ScenarioResult>();
        var context = new ScenarioContext(lab, urls, data, snapshots, readers, idleReads, idleRun, mid);

        // 1. A full run under the readers, after revising 1% of the points so the new run's figures differ.
        results.Add(await context.RunAsync("run under readers", 1, faultedRunEnds: true, fault: null));

        // 2. Storage paused mid-run, then resumed.
        results.Add(await context.RunAsync($"storage paused {pauseSeconds} s", 2, faultedRunEnds: true, fault: async () =>
        {
            lab.Storage.Pause();
            await Task.Delay(TimeSpan.FromSeconds(pauseSeconds));
            lab.Storage.Resume();
            return $"Azurite stopped (SIGSTOP) for {pauseSeconds} s, then resumed";
        }));

        // 3. Storage killed mid-run, restarted on the same ports and folder.
        results.Add(await context.RunAsync("storage killed", 3, faultedRunEnds: true, fault: async () =>
        {
            lab.Storage.Kill();
            var down = Stopwatch.StartNew();
            await lab.StartStorageAsync();
            return $"Azurite killed (SIGKILL), restarted on the same ports and folder after {down.Elapsed.TotalSeconds:F1} s. " +
                "Azurite saves its data every 5 s, so the kill loses the last seconds' writes (often the revisions and the run's start): " +
                "the clean run compared with is a full run over what storage holds after the restart";
        }));

        // 4. The app killed mid-run, restarted on the same port.
        results.Add(await context.RunAsync("app killed", 4, faultedRunEnds: false, fault: async () =>
        {
            lab.App.Kill();
            var down = Stopwatch.StartNew();
            await lab.StartAppAsync();
            return $"app killed (SIGKILL), restarted and healthy after {down.Elapsed.TotalSeconds:F1} s";
        }));

        PrintSummary(data, readers, readSeconds, idleReads, idleRun, repeat.Count, mid, results, (idleReadCpuText, idleRunCpuText));
        return repeat.Count == 0 && results.All(r => r.AggregatesIdentical && r.Consistency.Mismatches == 0) ? 0 : 1;
    }

    private static void PrintSummary(SyntheticData data, int readers, int readSeconds, ReadFigures idleReads, Run idleRun, int repeatDifferences, TimeSpan mid, List<ScenarioResult> results, (string Reads, string Run) idleCpu)
    {
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine("================ IndicatorFunctions reliability benchmark ================");
        text.AppendLine(CultureInfo.InvariantCulture, $"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, Azurite {Env("BENCH_AZURITE_VERSION", "?")} with disk persistence (LokiJS, saved every 5 s)");
        text.AppendLine(CultureInfo.InvariantCulture, $"data: {data.Count} observations = {data.Indicators.Count} indicators x {data.Districts.Count} districts x {1 + data.Sectors.Count} series x {data.Periods.Count} years, {data.Clusters.Count} clusters; {AggregateSnapshot.Urls(data).Count} aggregate URLs compared");
        text.AppendLine(CultureInfo.InvariantCulture, $"idle: {readers} readers x {readSeconds} s: {idleReads.Requests} requests = {idleReads.PerSecond:F0} req/s, errors: {idleReads.ErrorStatuses()}; full run (no readers) {idleRun.DurationMs} ms; a second clean full run identical to the first: {(repeatDifferences == 0 ? "yes" : $"NO ({repeatDifferences} URLs differ)")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  idle reads {idleCpu.Reads}; idle run {idleCpu.Run}");
        text.AppendLine(CultureInfo.InvariantCulture, $"faults strike {mid.TotalSeconds:F1} s after the full run's trigger ({Env("BENCH_MID_FRACTION", "0.4")} of the idle run)");
        foreach (var r in results)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"[{(r.Pass ? "PASS" : "FAIL")}] {r.Name}{(r.Fault is null ? "" : ": " + r.Fault)}");
            text.AppendLine(CultureInfo.InvariantCulture, $"  reads: {r.Reads.MarkedRequests} requests in the {r.Reads.MarkedSeconds:F1} s until the last run ended = {r.Reads.PerSecond:F0} req/s = {r.Reads.PerSecond / idleReads.PerSecond:F2} x idle ({r.Reads.Requests} with the 3 s after); errors: {r.Reads.ErrorStatuses()}{(r.Reads.Unavailable503WithoutRetryAfter > 0 ? $" ({r.Reads.Unavailable503WithoutRetryAfter} 503 without Retry-After)" : "")}");
            text.AppendLine(CultureInfo.InvariantCulture, $"  run {r.Faulted.Id}: {r.Faulted.Describe()}{(r.Faulted.DurationMs > 0 ? $" = {(double)r.Faulted.DurationMs / idleRun.DurationMs:F2} x idle duration ({(double)idleRun.DurationMs / r.Faulted.DurationMs:F2} x idle speed)" : "")}");
            text.AppendLine(CultureInfo.InvariantCulture, $"  from the trigger to the last run's end, {r.Cpu}");
            if (r.FollowUp is { } f)
                text.AppendLine(CultureInfo.InvariantCulture, $"  follow-up run {f.Id} ({(f.Full ? "full" : "incremental")}): {f.Describe()}; triggered after {r.FollowUpWaitSeconds:F1} s ({r.FollowUpRefusals} refusals: 409 while the lock was held, 503/no answer while storage was down)");
            if (r.Faulted.Status == "running" && r.FaultedAfter is { } after)
                text.AppendLine(CultureInfo.InvariantCulture, $"  killed run as the ledger shows it afterwards: {after.Describe()}");
            text.AppendLine(CultureInfo.InvariantCulture, $"  consistency: {r.Reads.Ok} reads answered 200, {r.Consistency.Mismatches} differ from the snapshot of the run they name, {r.Consistency.Unverified} name a run with no snapshot; runs named: {string.Join(", ", r.Reads.Bodies.Keys.Select(k => k.RunId).Distinct().Order(StringComparer.Ordinal))}");
            text.AppendLine(CultureInfo.InvariantCulture, $"  aggregates after the scenario vs a clean full run ({r.Reference.Id}, {r.Reference.Status}): {(r.AggregatesIdentical ? "identical" : $"{r.Differences.Count} URLs DIFFER, e.g. {string.Join(", ", r.Differences.Examples)}")}");
            foreach (var example in r.Consistency.Examples)
                text.AppendLine(CultureInfo.InvariantCulture, $"  mismatch: {example}");
            foreach (var miss in r.Misses)
                text.AppendLine(CultureInfo.InvariantCulture, $"  missed: {miss}");
        }
        text.AppendLine("==========================================================================");
        Console.Write(text.ToString());
    }

    internal static void Progress(string line) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");

    internal static int Int(string name, int fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    internal static string Env(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;

    /// <summary>CPU seconds the app, Azurite and this program (the readers) used over a span of wall time.</summary>
    public sealed class CpuMeter
    {
        private readonly (BenchProcess App, BenchProcess Storage) _processes;
        private readonly (int App, int Storage) _pids;
        private readonly (double App, double Storage, double Self) _start;
        private readonly Stopwatch _watch = Stopwatch.StartNew();

        public CpuMeter(BenchProcess app, BenchProcess storage)
        {
            (_processes, _pids) = ((app, storage), (app.Pid, storage.Pid));
            _start = (ProcessCpu.Seconds(app.Pid), ProcessCpu.Seconds(storage.Pid), ProcessCpu.Seconds(Environment.ProcessId));
        }

        /// <summary>"CPU: app 12.3 s, Azurite 4.5 s, readers 6.7 s in 10.0 s wall" (not across a restart: the pids change).</summary>
        public string Read() => (_processes.App.Pid, _processes.Storage.Pid) != _pids ? "CPU: not measured (a process was restarted)" : string.Create(CultureInfo.InvariantCulture,
            $"CPU: app {ProcessCpu.Seconds(_pids.App) - _start.App:F1} s, Azurite {ProcessCpu.Seconds(_pids.Storage) - _start.Storage:F1} s, readers (this program) {ProcessCpu.Seconds(Environment.ProcessId) - _start.Self:F1} s in {_watch.Elapsed.TotalSeconds:F1} s wall");
    }

    /// <summary>A run as GET /api/runs/{id} shows it.</summary>
    public sealed record Run(string Id, string Status, bool Full, long DurationMs, long ObservationsRead, IReadOnlyList<string> Errors)
    {
        public static Run From(JsonObject o) => new(
            o["id"]!.GetValue<string>(), o["status"]!.GetValue<string>(), o["full"]?.GetValue<bool>() ?? false,
            o["durationMs"]?.GetValue<long?>() ?? 0, o["observationsRead"]?.GetValue<long>() ?? 0,
            o["errors"]?.AsArray().Select(e => e!.GetValue<string>()).ToList() ?? []);

        public static Run Unknown(string id, string why) => new(id, why, false, 0, 0, []);

        public bool Succeeded => Status == "succeeded";

        public string Describe() => $"{Status}{(DurationMs > 0 ? $" in {DurationMs} ms" : "")}{(Succeeded ? $", {ObservationsRead} observations read" : "")}{(Errors.Count > 0 ? $" ({string.Join("; ", Errors.Select(e => e.Length > 200 ? e[..200] + "..." : e))})" : "")}";
    }

    public sealed record ScenarioResult(
        string Name, string? Fault, string Cpu, ReadFigures Reads, Run Faulted, Run? FaultedAfter, Run? FollowUp, double FollowUpWaitSeconds, int FollowUpRefusals,
        Run Reference, (int Count, List<string> Examples) Differences, (long Mismatches, long Unverified, List<string> Examples) Consistency, List<string> Misses)
    {
        public bool AggregatesIdentical => Differences.Count == 0;
        public bool Pass => AggregatesIdentical && Consistency.Mismatches == 0 && Misses.Count == 0;
    }

    /// <summary>What every scenario shares: the lab, the URLs, the snapshots by run, the idle figures.</summary>
    private sealed record ScenarioContext(Lab Lab, List<string> Urls, SyntheticData Data, Dictionary<string, AggregateSnapshot> Snapshots,
        int ReaderCount, ReadFigures IdleReads, Run IdleRun, TimeSpan Mid)
    {
        /// <summary>
        /// Revises 1% of the points (a different 1% per scenario), starts the readers, triggers a full run, and after
        /// <see cref="Mid"/> strikes the fault (none: the run under load). Then waits for the run to end (unless the
        /// process running it was killed), triggers a follow-up run (incremental; retried while refused), stops the
        /// readers, and compares what is served with a clean full run triggered after it.
        /// </summary>
        public async Task<ScenarioResult> RunAsync(string name, int index, bool faultedRunEnds, Func<Task<string>>? fault)
        {
            Progress($"== {name} ==");
            var revised = await ReviseAsync(index);
            Progress($"  revised {revised} points");
            using var client = Readers.Client(Lab.AppUrl);
            var readers = new Readers(client, Urls, ReaderCount);
            readers.Start();
            var cpu = new CpuMeter(Lab.App, Lab.Storage);
            var (id, _, _) = await Lab.TriggerAsync(full: true);
            Progress($"  full run {id} triggered under {ReaderCount} readers");
            string? faultNote = null;
            if (fault is not null)
            {
                await Task.Delay(Mid);
                faultNote = await fault();
                Progress($"  {faultNote}");
            }

            Run faulted = faultedRunEnds ? await Lab.WaitRunAsync(id) : Run.Unknown(id, "running");
            Progress($"  run {id}: {faulted.Describe()}");
            if (faulted.Succeeded && fault is not null)
                await Lab.SnapshotAsync(Urls, faulted, Snapshots); // before the follow-up replaces it (the readers may have seen it)
            Run? followUp = null;
            double waited = 0;
            var refusals = 0;
            if (fault is not null)
            {
                (var followId, waited, refusals) = await Lab.TriggerAsync(full: false);
                followUp = await Lab.WaitRunAsync(followId);
                Progress($"  follow-up run {followId}: {followUp.Describe()}, after {waited:F1} s and {refusals} refusals");
            }
            // Throughput counts up to the last run's end; the readers go on for 3 s (freshness is cached for 2 s), so
            // they also read what that run committed.
            readers.Mark();
            var cpuText = cpu.Read();
            await Task.Delay(TimeSpan.FromSeconds(3));
            var reads = await readers.StopAsync();
            var after = followUp ?? faulted;
            var served = after.Succeeded ? await Lab.SnapshotAsync(Urls, after, Snapshots) : await AggregateSnapshot.TakeAsync(Lab.Admin, Urls);
            Progress($"  readers: {reads.Requests} requests, {reads.PerSecond:F0} req/s; {reads.Statuses()}");
            var faultedAfter = faultedRunEnds ? null : await Lab.GetRunAsync(id);

            var reference = await Lab.RunAsync(full: true);
            var clean = await Lab.SnapshotAsync(Urls, reference, Snapshots);
            var differences = AggregateSnapshot.Differences(served, clean);
            var consistency = reads.Check(Snapshots);
            Progress($"  clean full run {reference.Id}: {reference.Status}; differing URLs: {differences.Count}; read mismatches: {consistency.Mismatches}");

            var misses = new List<string>();
            if (!reference.Succeeded)
                misses.Add($"the clean full run {reference.Id} did not succeed: {reference.Describe()}");
            if (reads.ServerErrors > 0)
                misses.Add($"readers got server errors other than 503: {reads.ErrorStatuses()}");
            if (reads.Unavailable503WithoutRetryAfter > 0)
                misses.Add($"{reads.Unavailable503WithoutRetryAfter} answers 503 without Retry-After");
            if (consistency.Unverified > 0)
                misses.Add($"{consistency.Unverified} read bodies name a run with no snapshot");
            if (fault is null)
            {
                if (reads.Errors > 0)
                    misses.Add($"reads under the run had errors: {reads.ErrorStatuses()} (target: none)");
                if (reads.PerSecond < 0.5 * IdleReads.PerSecond)
                    misses.Add($"reads {reads.PerSecond:F0} req/s < 0.5 x idle {IdleReads.PerSecond:F0} req/s");
                if (!faulted.Succeeded)
                    misses.Add($"the run under readers did not succeed: {faulted.Describe()}");
                else if (IdleRun.DurationMs < 0.5 * faulted.DurationMs)
                    misses.Add($"the run under readers took {faulted.DurationMs} ms > 2 x idle {IdleRun.DurationMs} ms (target: >= 0.5 x idle speed)");
            }
            else
            {
                if (followUp is not { Succeeded: true })
                    misses.Add($"the follow-up run did not succeed: {followUp?.Describe()}");
                if (faultedAfter is { } f && f.Status != "failed")
                    misses.Add($"the killed run {f.Id} shows as {f.Status}, not failed");
            }
            return new ScenarioResult(name, faultNote, cpuText, reads, faulted, faultedAfter, followUp, waited, refusals, reference, differences, consistency, misses);
        }

        /// <summary>Every 100th point (offset by the scenario's index) again, 5% higher than loaded: each one a revision.</summary>
        private async Task<int> ReviseAsync(int index)
        {
            var revisions = Data.Observations().Where(o => o.Row % 100 == index).Select(o => o with { Value = Math.Round(o.Value!.Value * 1.05, 2) }).ToList();
            var revised = 0;
            foreach (var body in revisions.Chunk(PipelineBenchmark.BodyRows()))
                revised += (await PipelineBenchmark.PostObservationsAsync(Lab.Admin, body))["revised"]!.GetValue<int>();
            return revised;
        }
    }

    /// <summary>Azurite (disk persistence) and the app, on ports fixed for the lab's life, and the admin client.</summary>
    private sealed class Lab : IDisposable
    {
        private readonly string _work;

        public Lab(string work, string azurite, string appDir)
        {
            _work = work;
            StorageFolder = Path.Combine(work, "azurite");
            Directory.CreateDirectory(StorageFolder);
            var (blob, queue, table) = (BenchProcess.FreePort(), BenchProcess.FreePort(), BenchProcess.FreePort());
            (BlobPort, TablePort) = (blob, table);
            Storage = new BenchProcess("azurite", work, work,
                $"'{azurite}' --location '{StorageFolder}' --silent --disableTelemetry --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 --blobPort {blob} --queuePort {queue} --tablePort {table}",
                new Dictionary<string, string>());
            const string key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
            var connection = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";
            AppPort = BenchProcess.FreePort();
            AppUrl = $"http://127.0.0.1:{AppPort}";
            App = new BenchProcess("app", work, appDir, $"dotnet IndicatorFunctions.dll --local --urls {AppUrl}", new Dictionary<string, string>
            {
                ["AzureWebJobsStorage"] = connection,
                ["AdminApiKey"] = "bench",
                ["AzureWebJobs__NightlyAggregation__Disabled"] = "true",
            });
            Admin = new HttpClient { BaseAddress = new Uri(AppUrl), Timeout = TimeSpan.FromMinutes(10) };
            Admin.DefaultRequestHeaders.Add("x-functions-key", "bench");
        }

        public BenchProcess Storage { get; }
        public BenchProcess App { get; }
        public string StorageFolder { get; }
        public int BlobPort { get; }
        public int TablePort { get; }
        public int AppPort { get; }
        public string AppUrl { get; }
        public HttpClient Admin { get; }

        public async Task StartStorageAsync()
        {
            Storage.Start();
            await Storage.WaitPortAsync(BlobPort, TimeSpan.FromSeconds(60));
            await Storage.WaitPortAsync(TablePort, TimeSpan.FromSeconds(60));
        }

        public async Task StartAppAsync()
        {
            App.Start();
            await App.WaitPortAsync(AppPort, TimeSpan.FromSeconds(60));
            var watch = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var response = await Admin.GetAsync("/api/health");
                    if (response.IsSuccessStatusCode)
                        return;
                }
                catch (HttpRequestException) { }
                if (watch.Elapsed > TimeSpan.FromSeconds(60) || App.Exited)
                    throw new InvalidOperationException($"the app did not answer /api/health with 200; see app.log in {_work}");
                await Task.Delay(100);
            }
        }

        /// <summary>POST /api/runs (202), retried while refused (409: another run holds the lock; 503 or no answer: storage or the app is down).</summary>
        public async Task<(string Id, double WaitedSeconds, int Refusals)> TriggerAsync(bool full)
        {
            var watch = Stopwatch.StartNew();
            var refusals = 0;
            while (true)
            {
                string? detail;
                try
                {
                    using var response = await Admin.PostAsJsonAsync("/api/runs", new { full });
                    var text = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode == HttpStatusCode.Accepted)
                        return (JsonNode.Parse(text)!["id"]!.GetValue<string>(), watch.Elapsed.TotalSeconds, refusals);
                    if (response.StatusCode is not (HttpStatusCode.Conflict or HttpStatusCode.ServiceUnavailable))
                        throw new InvalidOperationException($"POST /api/runs -> {(int)response.StatusCode}: {text}");
                    detail = $"{(int)response.StatusCode}";
                }
                catch (HttpRequestException ex)
                {
                    detail = ex.Message;
                }
                refusals++;
                if (watch.Elapsed > Patience)
                    throw new InvalidOperationException($"POST /api/runs refused for {Patience.TotalMinutes} minutes (last: {detail})");
                await Task.Delay(500);
            }
        }

        /// <summary>Polls GET /api/runs/{id} until the run is no longer running (errors and 404 meanwhile are waited out).</summary>
        public async Task<Run> WaitRunAsync(string id)
        {
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < Patience)
            {
                if (await GetRunAsync(id) is { Status: not "running" } run)
                    return run;
                await Task.Delay(250);
            }
            return Run.Unknown(id, $"still running (or unknown) after {Patience.TotalMinutes} minutes");
        }

        public async Task<Run?> GetRunAsync(string id)
        {
            try
            {
                using var response = await Admin.GetAsync($"/api/runs/{id}");
                return response.IsSuccessStatusCode ? Run.From(JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject()) : null;
            }
            catch (HttpRequestException)
            {
                return null;
            }
        }

        public async Task<Run> RunAsync(bool full) => await WaitRunAsync((await TriggerAsync(full)).Id);

        /// <summary>The aggregates as served once <paramref name="run"/> is the committed run; recorded by run id.</summary>
        public async Task<AggregateSnapshot> SnapshotAsync(List<string> urls, Run run, Dictionary<string, AggregateSnapshot> snapshots)
        {
            if (!run.Succeeded)
                throw new InvalidOperationException($"run {run.Id} did not succeed: {run.Describe()}");
            for (var attempt = 0; ; attempt++)
            {
                var snapshot = await AggregateSnapshot.TakeAsync(Admin, urls);
                if (snapshot.RunId == run.Id)
                    return snapshots[run.Id] = snapshot;
                if (attempt >= 5)
                    throw new InvalidOperationException($"reads still name run {snapshot.RunId}, not the run {run.Id} that just succeeded");
                await Task.Delay(2500); // freshness is cached for 2 s
            }
        }

        public void Dispose()
        {
            Admin.Dispose();
            App.Dispose();
            Storage.Dispose();
        }
    }
}
