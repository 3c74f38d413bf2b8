using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Data;
using IndicatorFunctions.Domain;
using Microsoft.Extensions.Caching.Memory;

namespace IndicatorFunctions.Api;

/// <summary>
/// A committed run's figures never change, so a record read through its view is cached by record and run (bounded
/// to <see cref="MaxEntries"/> records) and callers filter it in memory: any <c>from</c>/<c>to</c> is served from one
/// entry, and while a run writes its own generation, reads are served from the last finished run's. This spares
/// storage a query per dashboard request.
/// </summary>
public sealed class ReadCache(Generations generations) : IDisposable
{
    public const int MaxEntries = 10_000;
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = MaxEntries });

    public Task<IReadOnlyList<SeriesPoint>> ReadSeriesAsync(GenerationView view, SeriesKey series, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<SeriesPoint>>(view, RecordKey.Of(series), AggregateRecords.SeriesFrom, cancellationToken);

    public Task<IReadOnlyList<CrossSectionRow>> ReadCrossSectionAsync(GenerationView view, CrossSectionKey section, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<CrossSectionRow>>(view, RecordKey.Of(section), json => AggregateRecords.CrossSectionFrom(section.Period, json), cancellationToken);

    public Task<IReadOnlyList<RollupPoint>> ReadRollupsAsync(GenerationView view, RollupKey rollup, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<RollupPoint>>(view, RecordKey.Of(rollup), AggregateRecords.RollupsFrom, cancellationToken);

    private async Task<T> ReadAsync<T>(GenerationView view, RecordKey record, Func<string, T> parse, CancellationToken cancellationToken)
    {
        if (view.Committed is null)
            return parse("");
        var key = (view.Committed, record);
        // The read itself is cached, so the readers arriving together after a commit share one storage query. It runs
        // on its own (bounded by the storage client's deadlines); each caller waits with its own cancellation.
        var read = _cache.GetOrCreate(key, entry =>
        {
            entry.Size = 1;
            entry.SlidingExpiration = TimeSpan.FromMinutes(30);
            return ReadAndParseAsync(view, record, parse);
        })!;
        try
        {
            return await read.WaitAsync(cancellationToken);
        }
        catch when (read.IsFaulted || read.IsCanceled)
        {
            _cache.Remove(key); // a failed read is not kept: the next request tries storage again
            throw;
        }
    }

    private async Task<T> ReadAndParseAsync<T>(GenerationView view, RecordKey record, Func<string, T> parse) =>
        parse(await generations.ReadAsync(view, record, CancellationToken.None));

    public void Dispose() => _cache.Dispose();
}
