using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using IndicatorFunctions.Samples;

namespace IndicatorFunctions.Bench;

/// <summary>Every aggregate as the API served it for one committed run: URL → body without runId/aggregatedAt/pendingChanges.</summary>
public sealed record AggregateSnapshot(string RunId, IReadOnlyDictionary<string, string> Bodies)
{
    /// <summary>Every read URL of the data set: each series (total and sectors), each cross-section, each cluster rollup.</summary>
    public static List<string> Urls(SyntheticData data)
    {
        var sectors = new string?[] { null }.Concat(data.Sectors).ToList();
        static string Sector(string? s) => s is null ? "" : "?sector=" + s;
        var urls = new List<string>();
        foreach (var i in data.Indicators)
        {
            urls.AddRange(data.Districts.SelectMany(d => sectors.Select(s => $"/api/districts/{d.Id}/indicators/{i.Id}/series{Sector(s)}")));
            urls.AddRange(data.Periods.SelectMany(p => sectors.Select(s => $"/api/indicators/{i.Id}/periods/{p}{Sector(s)}")));
            if (i.Aggregation != Domain.AggregationMethod.None)
                urls.AddRange(data.Clusters.Select(c => $"/api/clusters/{c.Id}/indicators/{i.Id}/rollups"));
        }
        return urls;
    }

    /// <summary>
    /// Reads every URL (16 at a time); all must answer 200 for the same run. A run that commits meanwhile makes the
    /// answers disagree: then it reads them all again.
    /// </summary>
    public static async Task<AggregateSnapshot> TakeAsync(HttpClient http, IReadOnlyList<string> urls)
    {
        for (var attempt = 0; ; attempt++)
        {
            var bodies = new ConcurrentDictionary<string, string>();
            var runs = new ConcurrentDictionary<string, byte>();
            await Parallel.ForEachAsync(urls, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (url, ct) =>
            {
                using var response = await http.GetAsync(url, ct);
                var text = await response.Content.ReadAsStringAsync(ct);
                if (response.StatusCode != HttpStatusCode.OK)
                    throw new InvalidOperationException($"GET {url} -> {(int)response.StatusCode}: {text}");
                var (runId, normalized) = Normalize(text);
                runs[runId ?? "(none)"] = 0;
                bodies[url] = normalized;
            });
            if (runs.Count == 1)
                return new AggregateSnapshot(runs.Keys.Single(), bodies);
            if (attempt >= 5)
                throw new InvalidOperationException($"the reads named {runs.Count} runs five times in a row: {string.Join(", ", runs.Keys)}");
            await Task.Delay(2500);
        }
    }

    /// <summary>The run a read names and its body without the fields that name the run or its freshness.</summary>
    public static (string? RunId, string Body) Normalize(string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        var runId = node["runId"]?.GetValue<string>();
        node.Remove("runId");
        node.Remove("aggregatedAt");
        node.Remove("pendingChanges");
        return (runId, node.ToJsonString());
    }

    /// <summary>URLs whose bodies differ (or exist in only one), at most <paramref name="max"/> named.</summary>
    public static (int Count, List<string> Examples) Differences(AggregateSnapshot a, AggregateSnapshot b, int max = 3)
    {
        var differing = a.Bodies.Keys.Union(b.Bodies.Keys)
            .Where(url => !a.Bodies.TryGetValue(url, out var x) || !b.Bodies.TryGetValue(url, out var y) || x != y)
            .Order(StringComparer.Ordinal).ToList();
        return (differing.Count, differing.Take(max).ToList());
    }
}

/// <summary>What a reader load saw.</summary>
/// <remarks>
/// Throughput is counted up to <see cref="Readers.Mark"/> when it was called (the end of the run the reads ran during;
/// the readers go on a few seconds, so they also read the run it committed); statuses and bodies cover the whole load.
/// </remarks>
public sealed record ReadFigures(
    long Requests, double Seconds, IReadOnlyDictionary<string, long> ByStatus, long Unavailable503WithoutRetryAfter,
    IReadOnlyDictionary<(string RunId, string Url), HashSet<string>> Bodies, long MarkedRequests, double MarkedSeconds)
{
    public double PerSecond => MarkedSeconds > 0 ? MarkedRequests / MarkedSeconds : 0;
    public long Ok => ByStatus.GetValueOrDefault("200");
    public long Errors => Requests - Ok;

    /// <summary>"200: 1234, 503: 5, connection refused: 7", statuses first.</summary>
    public string Statuses() => ByStatus.Count == 0 ? "none" :
        string.Join(", ", ByStatus.OrderBy(p => p.Key.Length == 3 ? 0 : 1).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}"));

    public string ErrorStatuses() => ByStatus.Count(p => p.Key != "200") == 0 ? "none" :
        string.Join(", ", ByStatus.Where(p => p.Key != "200").OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}"));

    /// <summary>Server errors other than 503 (a 503 is the documented answer while storage is unreachable).</summary>
    public long ServerErrors => ByStatus.Where(p => p.Key.Length == 3 && p.Key[0] == '5' && p.Key != "503").Sum(p => p.Value);

    /// <summary>
    /// Every 200 this load saw against the snapshot of the run it names: (mismatches, runs named without a snapshot,
    /// examples). A body that differs from its run's snapshot is a read that mixed runs or a figure that changed.
    /// </summary>
    public (long Mismatches, long Unverified, List<string> Examples) Check(IReadOnlyDictionary<string, AggregateSnapshot> snapshots)
    {
        long mismatches = 0, unverified = 0;
        var examples = new List<string>();
        foreach (var ((runId, url), bodies) in Bodies)
        {
            if (!snapshots.TryGetValue(runId, out var snapshot))
            {
                unverified += bodies.Count;
                continue;
            }
            foreach (var body in bodies.Where(b => !snapshot.Bodies.TryGetValue(url, out var expected) || expected != b))
            {
                mismatches++;
                if (examples.Count < 3)
                    examples.Add($"{url} (run {runId}): {body[..Math.Min(body.Length, 300)]}");
            }
        }
        return (mismatches, unverified, examples);
    }
}

/// <summary>
/// Concurrent dashboard readers: each GETs a random URL of the set, again and again, until stopped. Counts answers by
/// status (and failures without one by kind), and keeps each distinct 200 body per run and URL for
/// <see cref="ReadFigures.Check"/> (compared only after the load, so the readers spend little CPU on it). After an
/// error a reader waits 100 ms, as a client would, so an app that is down is not spun against.
/// </summary>
public sealed class Readers
{
    private readonly HttpClient _http;
    private readonly IReadOnlyList<string> _urls;
    private readonly int _count;
    private readonly ConcurrentDictionary<string, long> _byStatus = new();
    private readonly ConcurrentDictionary<(string Url, string Body), byte> _bodies = new();
    private long _requests, _missingRetryAfter;
    private CancellationTokenSource? _stop;
    private Task? _all;
    private Stopwatch? _watch;

    public Readers(HttpClient http, IReadOnlyList<string> urls, int count) => (_http, _urls, _count) = (http, urls, count);

    public static HttpClient Client(string baseUrl) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 4096,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
    })
    {
        BaseAddress = new Uri(baseUrl),
        Timeout = TimeSpan.FromSeconds(60),
    };

    public void Start()
    {
        _stop = new CancellationTokenSource();
        _watch = Stopwatch.StartNew();
        _all = Task.WhenAll(Enumerable.Range(0, _count).Select(i => Task.Run(() => ReadAsync(i, _stop.Token))));
    }

    private (long Requests, double Seconds)? _mark;

    /// <summary>The end of the span throughput is measured over (by default, the whole load).</summary>
    public void Mark() => _mark = (Interlocked.Read(ref _requests), _watch!.Elapsed.TotalSeconds);

    public async Task<ReadFigures> StopAsync()
    {
        await _stop!.CancelAsync();
        await _all!;
        var seconds = _watch!.Elapsed.TotalSeconds;
        var mark = _mark ?? (_requests, seconds);
        _stop.Dispose();
        var bodies = new Dictionary<(string, string), HashSet<string>>();
        foreach (var (url, body) in _bodies.Keys)
        {
            var (runId, normalized) = AggregateSnapshot.Normalize(body);
            var key = (runId ?? "(none)", url);
            if (!bodies.TryGetValue(key, out var set))
                bodies[key] = set = [];
            set.Add(normalized);
        }
        return new ReadFigures(_requests, seconds, new Dictionary<string, long>(_byStatus), _missingRetryAfter, bodies, mark.Requests, mark.Seconds);
    }

    private async Task ReadAsync(int seed, CancellationToken stop)
    {
        var random = new Random(seed);
        while (!stop.IsCancellationRequested)
        {
            var url = _urls[random.Next(_urls.Count)];
            string outcome;
            try
            {
                using var response = await _http.GetAsync(url, stop);
                var body = await response.Content.ReadAsStringAsync(stop);
                outcome = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (response.StatusCode == HttpStatusCode.OK)
                    _bodies.TryAdd((url, body), 0);
                else if (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is null)
                    Interlocked.Increment(ref _missingRetryAfter);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return; // stopped mid-request: not counted
            }
            catch (TaskCanceledException)
            {
                outcome = "timeout (60 s)";
            }
            catch (HttpRequestException ex)
            {
                outcome = ex.HttpRequestError switch
                {
                    HttpRequestError.ConnectionError => "connection refused/reset",
                    HttpRequestError.ResponseEnded => "response ended early",
                    HttpRequestError.Unknown => "connection lost mid-request",
                    var e => e.ToString(),
                };
            }
            Interlocked.Increment(ref _requests);
            _byStatus.AddOrUpdate(outcome, 1, (_, n) => n + 1);
            if (outcome != "200")
            {
                try { await Task.Delay(100, stop); } catch (OperationCanceledException) { return; }
            }
        }
    }
}
