using System.Globalization;
using System.Text.Json.Nodes;
using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Catalog;
using IndicatorFunctions.Data;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Reads;
using Azure.Data.Tables;
using Microsoft.Azure.Functions.Worker;

namespace IndicatorFunctions.Api;

/// <summary>
/// The dashboard reads. Each is one record of the aggregated figures as the last finished run committed it (see
/// <see cref="Generations"/>), cached per run and filtered in memory (see <see cref="ReadCache"/>; catalog and
/// freshness come from short-lived caches), answered with a strong ETag. The <c>runId</c> a read carries is the run
/// whose figures it holds. Each answers in JSON, CSV or JSON-stat (<see cref="ReadFormats"/>): one read model
/// (<see cref="SeriesRead"/> …) rendered three ways.
/// Ids are checked as slugs before they reach a filter.
/// </summary>
public sealed class ReadApi(CatalogStore catalog, Freshness freshness, ReadCache cache, ResponseCache responses)
{
    [Function("GetSeries")]
    public async Task<IResult> GetSeriesAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "districts/{district}/indicators/{indicator}/series")] HttpRequest request,
        string district, string indicator, CancellationToken cancellationToken)
    {
        var (sector, from, to) = (Query.String(request, "sector"), Query.String(request, "from"), Query.String(request, "to"));
        var errors = new List<FieldError>();
        Slug.Check(errors, "district", district);
        Slug.Check(errors, "indicator", indicator);
        Slug.Check(errors, "sector", sector ?? Slug.TotalSector);
        var range = PeriodRange.Parse(from, to, errors);
        var format = ReadFormats.Select(Query.String(request, "format"), request.Headers.Accept, errors);
        if (errors.Count > 0)
            return Problems.Validation(errors);
        var snapshot = await catalog.GetAsync(cancellationToken);
        if (!snapshot.Districts.ContainsKey(district))
            return Problems.NotFound("district", district);
        if (!snapshot.Indicators.TryGetValue(indicator, out var ind))
            return Problems.NotFound("indicator", indicator);

        var series = new SeriesKey(indicator, district, sector ?? Slug.TotalSector);
        var (state, view) = await freshness.GetSnapshotAsync(cancellationToken);
        return await RenderAsync(request, format, state, snapshot, async () =>
        {
            var points = await cache.ReadSeriesAsync(view, series, cancellationToken);
            var read = new SeriesRead
            {
                District = district, Indicator = indicator, Sector = series.Sector, Unit = ind.Unit,
                RunId = state.RunId, AggregatedAt = state.AggregatedAt, PendingChanges = state.PendingChanges,
                Points = [.. points.Where(p => range.Contains(p.Observation.Period)) // stored in period order
                    .Select(p => new SeriesReadPoint
                    {
                        Period = p.Observation.Period.ToString(), Value = Round(p.Observation.Value, ind.Decimals),
                        Status = p.Observation.Status.ToName(), Source = p.Observation.Source, Yoy = Yoy(p.Yoy, ind),
                    })],
            };
            return Represent(format, read, ReadCsv.Series, r => ReadJsonStat.Series(r, ind, snapshot));
        });
    }

    [Function("GetCrossSection")]
    public async Task<IResult> GetCrossSectionAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "indicators/{indicator}/periods/{period}")] HttpRequest request,
        string indicator, string period, CancellationToken cancellationToken)
    {
        var sector = Query.String(request, "sector");
        var errors = new List<FieldError>();
        Slug.Check(errors, "indicator", indicator);
        Slug.Check(errors, "sector", sector ?? Slug.TotalSector);
        if (!Period.TryParse(period, out var p))
            errors.Add(new FieldError("period", $"'{period}' is not a period ({Period.Syntax})"));
        var format = ReadFormats.Select(Query.String(request, "format"), request.Headers.Accept, errors);
        if (errors.Count > 0)
            return Problems.Validation(errors);
        var snapshot = await catalog.GetAsync(cancellationToken);
        if (!snapshot.Indicators.TryGetValue(indicator, out var ind))
            return Problems.NotFound("indicator", indicator);

        var (state, view) = await freshness.GetSnapshotAsync(cancellationToken);
        return await RenderAsync(request, format, state, snapshot, async () =>
        {
            var rows = await cache.ReadCrossSectionAsync(view, new CrossSectionKey(indicator, sector ?? Slug.TotalSector, p), cancellationToken);
            var ordered = rows.OrderByDescending(r => r.Point.Observation.Value).ThenBy(r => r.District, StringComparer.Ordinal).ToList();
            // Competition ranking: 1 = largest; equal values share a rank and the next rank skips (1, 1, 3).
            var ranks = new int[ordered.Count];
            for (var i = 0; i < ordered.Count; i++)
                ranks[i] = i > 0 && ordered[i].Point.Observation.Value == ordered[i - 1].Point.Observation.Value ? ranks[i - 1] : i + 1;
            var read = new CrossSectionRead
            {
                Indicator = indicator, Period = p.ToString(), Sector = sector ?? Slug.TotalSector, Unit = ind.Unit,
                RunId = state.RunId, AggregatedAt = state.AggregatedAt, PendingChanges = state.PendingChanges,
                Rows = [.. ordered.Select((r, i) => new CrossSectionReadRow
                {
                    District = r.District,
                    Value = Round(r.Point.Observation.Value, ind.Decimals),
                    Status = r.Point.Observation.Status.ToName(),
                    Rank = ranks[i],
                    Yoy = Yoy(r.Point.Yoy, ind),
                })],
            };
            return Represent(format, read, ReadCsv.CrossSection, r => ReadJsonStat.CrossSection(r, ind, snapshot));
        });
    }

    [Function("GetRollups")]
    public async Task<IResult> GetRollupsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clusters/{cluster}/indicators/{indicator}/rollups")] HttpRequest request,
        string cluster, string indicator, CancellationToken cancellationToken)
    {
        var (from, to) = (Query.String(request, "from"), Query.String(request, "to"));
        var errors = new List<FieldError>();
        Slug.Check(errors, "cluster", cluster);
        Slug.Check(errors, "indicator", indicator);
        var range = PeriodRange.Parse(from, to, errors);
        var format = ReadFormats.Select(Query.String(request, "format"), request.Headers.Accept, errors);
        if (errors.Count > 0)
            return Problems.Validation(errors);
        var snapshot = await catalog.GetAsync(cancellationToken);
        if (!snapshot.Clusters.ContainsKey(cluster))
            return Problems.NotFound("cluster", cluster);
        if (!snapshot.Indicators.TryGetValue(indicator, out var ind))
            return Problems.NotFound("indicator", indicator);
        if (ind.Aggregation == AggregationMethod.None)
            return Problems.Validation("indicator", $"indicator {indicator} has aggregation 'none' (a ratio or reported rate): it is not rolled up");

        var (state, view) = await freshness.GetSnapshotAsync(cancellationToken);
        return await RenderAsync(request, format, state, snapshot, async () =>
        {
            var rollups = await cache.ReadRollupsAsync(view, new RollupKey(cluster, indicator), cancellationToken);
            var read = new RollupsRead
            {
                Cluster = cluster, Indicator = indicator, Unit = ind.Unit, Aggregation = ind.Aggregation,
                RunId = state.RunId, AggregatedAt = state.AggregatedAt, PendingChanges = state.PendingChanges,
                Points = [.. rollups.Where(r => range.Contains(r.Period)).Select(r => new RollupReadPoint // stored in period order
                {
                    Period = r.Period.ToString(),
                    Value = Round(r.Value, ind.Decimals),
                    ValueReason = r.ValueReason,
                    Status = r.Status.ToName(),
                    Members = r.Members,
                    Reporting = r.Reporting,
                    Coverage = Round(r.Coverage, 4),
                    Missing = [.. r.Missing],
                    Yoy = new RollupYoyRead
                    {
                        Current = Round(r.Yoy.Current, ind.Decimals),
                        Prior = Round(r.Yoy.Prior, ind.Decimals),
                        Change = Round(r.Yoy.Change, ind.Decimals),
                        Pct = Round(r.Yoy.Pct, 2),
                        ComparableMembers = r.Yoy.ComparableMembers,
                        Reason = r.Yoy.Reason,
                        Status = r.Yoy.Status.ToName(),
                    },
                })],
            };
            return Represent(format, read, ReadCsv.Rollups, r => ReadJsonStat.Rollups(r, ind, snapshot));
        });
    }

    /// <summary>
    /// The response for this request in this representation as rendered from this run, freshness and catalog,
    /// rendered once. The representation is part of the key: with <c>Accept</c> choosing it, one URL has several.
    /// </summary>
    private Task<CachedResponse> RenderAsync(HttpRequest request, ReadFormat format, FreshnessState state, CatalogSnapshot snapshot, Func<Task<CachedResponse>> render) =>
        responses.GetOrAddAsync((request.Path.Value, request.QueryString.Value, format, state.RunId, state.AggregatedAt, state.LastChangeAt, snapshot), render);

    private static CachedResponse Represent<T>(ReadFormat format, T read, Func<T, byte[]> csv, Func<T, JsonObject> jsonStat) => format switch
    {
        ReadFormat.Csv => new CachedResponse(csv(read), ReadFormats.CsvContentType, ReadFormats.Vary),
        ReadFormat.JsonStat => Cached.Json(jsonStat(read), ReadFormats.Vary),
        _ => Cached.Json(read, ReadFormats.Vary),
    };

    private static YoyRead Yoy(Growth yoy, Indicator indicator) =>
        new(Round(yoy.Prior, indicator.Decimals), Round(yoy.Change, indicator.Decimals), Round(yoy.Pct, 2), yoy.Reason, yoy.Status.ToName());

    /// <summary>Values in canonical units, rounded to the indicator's decimals (pct to 2) — also hiding float noise such as 8.12 × 1e4 = 81199.99999999999.</summary>
    public static double? Round(double? value, int decimals) => value is { } v ? Math.Round(v, Math.Min(decimals, 15), MidpointRounding.AwayFromZero) : null;
}

/// <summary>
/// <c>from</c>/<c>to</c> on series and rollups: each a year (<c>2019</c>: every period in 2019) or a period
/// (then only that kind of period, inclusive).
/// </summary>
public sealed record PeriodRange(Period? From, Period? To)
{
    public static PeriodRange Parse(string? from, string? to, List<FieldError> errors)
    {
        Period? Read(string field, string? text)
        {
            if (text is null)
                return null;
            if (Period.TryParse(text, out var p))
                return p;
            errors.Add(new FieldError(field, $"'{text}' is not a year or period ({Period.Syntax})"));
            return null;
        }
        var range = new PeriodRange(Read("from", from), Read("to", to));
        if (range is { From: { } f, To: { } t } && (f.Year > t.Year || (f.Kind == t.Kind && f.CompareTo(t) > 0)))
            errors.Add(new FieldError("from", $"from ({f}) is after to ({t})"));
        else if (range is { From: { Kind: not PeriodKind.Year } f2, To: { Kind: not PeriodKind.Year } t2 } && f2.Kind != t2.Kind)
            errors.Add(new FieldError("to", $"from ({f2}) and to ({t2}) are different kinds of period"));
        return range;
    }

    public bool Contains(Period p) =>
        (From is not { } f || (f.Kind == PeriodKind.Year ? p.Year >= f.Year : p.Kind == f.Kind && p.CompareTo(f) >= 0)) &&
        (To is not { } t || (t.Kind == PeriodKind.Year ? p.Year <= t.Year : p.Kind == t.Kind && p.CompareTo(t) <= 0));
}
