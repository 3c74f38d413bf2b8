using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Data;
using IndicatorFunctions.Domain;

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
    private readonly SharedReads _reads = new(MaxEntries, TimeSpan.FromMinutes(30));

    public Task<IReadOnlyList<SeriesPoint>> ReadSeriesAsync(GenerationView view, SeriesKey series, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<SeriesPoint>>(view, RecordKey.Of(series), AggregateRecords.SeriesFrom, cancellationToken);

    public Task<IReadOnlyList<CrossSectionRow>> ReadCrossSectionAsync(GenerationView view, CrossSectionKey section, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<CrossSectionRow>>(view, RecordKey.Of(section), json => AggregateRecords.CrossSectionFrom(section.Period, json), cancellationToken);

    public Task<IReadOnlyList<RollupPoint>> ReadRollupsAsync(GenerationView view, RollupKey rollup, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<RollupPoint>>(view, RecordKey.Of(rollup), AggregateRecords.RollupsFrom, cancellationToken);

    private Task<T> ReadAsync<T>(GenerationView view, RecordKey record, Func<string, T> parse, CancellationToken cancellationToken) =>
        view.Committed is null
            ? Task.FromResult(parse(""))
            : _reads.GetAsync((view.Committed, record), async () => parse(await generations.ReadAsync(view, record, CancellationToken.None)), cancellationToken);

    public void Dispose() => _reads.Dispose();
}
