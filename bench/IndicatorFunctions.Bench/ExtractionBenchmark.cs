using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using BenchmarkDotNet.Running;
using IndicatorFunctions.Extraction;

namespace IndicatorFunctions.Bench;

/// <summary>
/// Press-release extraction on one thread: every article of a folder (default: the test fixtures) read in turn, as
/// the <c>press-release</c> source and <c>POST /api/extractions</c> read them. The figure is articles per second per core.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10)]
[MemoryDiagnoser]
public class ExtractionBenchmark
{
    private List<ArticleInput> _articles = null!;

    public static string Folder => Environment.GetEnvironmentVariable("BENCH_ARTICLES") ?? Path.Combine(RepositoryRoot(), "tests/IndicatorFunctions.Tests/Extraction/Fixtures");

    public static List<ArticleInput> Load(string folder) =>
        Directory.EnumerateFiles(folder).Where(f => f.EndsWith(".txt") || f.EndsWith(".html") || f.EndsWith(".htm")).Order()
            .Select(f => new ArticleInput(File.ReadAllText(f), !f.EndsWith(".txt"), PeriodPhrases.PublishedFor(f, File.ReadAllText(f))))
            .ToList();

    [GlobalSetup]
    public void Setup() => _articles = Load(Folder);

    /// <summary>Extracts every article once; returns the number of facts (so nothing is optimised away).</summary>
    [Benchmark]
    public int ExtractAll()
    {
        var facts = 0;
        foreach (var article in _articles)
            facts += FactExtractor.Extract(article).Facts.Count;
        return facts;
    }

    public static int Run(string[] args)
    {
        var articles = Load(Folder);
        var job = Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(15).AsDefault();
        var summary = BenchmarkRunner.Run<ExtractionBenchmark>(DefaultConfig.Instance.AddJob(job), args);
        var report = summary.Reports.FirstOrDefault(r => r.ResultStatistics is not null);
        if (report is null)
        {
            Console.Error.WriteLine("the benchmark produced no result; see the log above");
            return 1;
        }
        var seconds = report.ResultStatistics!.Mean / 1e9;
        var fastest = report.ResultStatistics.Min / 1e9;
        var chars = articles.Sum(a => a.Text.Length);
        var (perCpuSecond, load) = PerCpuSecond(articles);
        Console.WriteLine();
        Console.WriteLine($"extraction: {articles.Count} articles ({chars:N0} characters) from {Folder}, one thread");
        Console.WriteLine($"  mean {seconds * 1000:N3} ms per pass = {articles.Count / seconds:N0} articles/s per core ({chars / seconds / 1e6:N1} MB/s of text); fastest iteration {articles.Count / fastest:N0} articles/s");
        Console.WriteLine($"  by CPU time (a busy machine stretches wall time, not CPU time): {perCpuSecond:N0} articles per CPU-second; load average {load}");
        return 0;
    }

    /// <summary>Articles extracted per second of this process's CPU time, over about five seconds; and the load average then.</summary>
    private static (double PerCpuSecond, string Load) PerCpuSecond(List<ArticleInput> articles)
    {
        var cpu = ProcessCpu.Seconds(Environment.ProcessId);
        var wall = System.Diagnostics.Stopwatch.StartNew();
        var done = 0;
        while (wall.Elapsed < TimeSpan.FromSeconds(5))
        {
            foreach (var article in articles)
                FactExtractor.Extract(article);
            done += articles.Count;
        }
        var used = ProcessCpu.Seconds(Environment.ProcessId) - cpu;
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
        return (used > 0 ? done / used : 0, load);
    }

    /// <summary>Prints precision and recall of the extractor on annotated articles (scripts/score-extraction.sh).</summary>
    public static int Score(string goldPath, string folder)
    {
        var gold = ExtractionScoring.ReadGold(File.ReadAllText(goldPath));
        var articles = Directory.EnumerateFiles(folder)
            .Where(f => f.EndsWith(".txt") || f.EndsWith(".html") || f.EndsWith(".htm"))
            .ToDictionary(f => Path.GetFileName(f), File.ReadAllText, StringComparer.OrdinalIgnoreCase);
        var score = ExtractionScoring.Run(gold, articles);
        foreach (var article in score.Articles)
        {
            Console.WriteLine($"{article.Article}: {article.Matched} of {article.Extracted} extracted facts match; {article.Matched} of {article.Gold} gold facts found ({article.Unscored} statements without a period not scored)");
            foreach (var f in article.Wrong)
                Console.WriteLine($"  wrong:  {f.Kind} {f.Indicator} {f.Period} {f.Value} {f.Unit} «{f.Sentence[..Math.Min(f.Sentence.Length, 100)]}»");
            foreach (var g in article.Missed)
                Console.WriteLine($"  missed: {g.Kind} {g.Indicator} {g.Period} {g.Value} {g.Unit} «{g.Text}»");
        }
        Console.WriteLine($"precision {score.Precision:F3} ({score.Matched}/{score.Extracted})  recall {score.Recall:F3} ({score.Matched}/{score.Gold})");
        return 0;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IndicatorFunctions.sln")))
                return dir.FullName;
        }
        return Directory.GetCurrentDirectory();
    }
}
