using System.Runtime.CompilerServices;
using System.Text;

using IndicatorFunctions.Catalog;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Extraction;
using IndicatorFunctions.Ingestion;

namespace IndicatorFunctions.Extraction;

/// <summary>A fact that was not ingested, and why (its index in <c>facts</c>).</summary>
public sealed record UnresolvedFact(int Fact, string Reason);

/// <summary>A fact that went through ingestion, under the district and indicator it was stored as.</summary>
public sealed record IngestedFact(int Fact, string District, string Indicator, string Period, string Source);

/// <summary>What reading one article did: the facts, and when ingesting, what was stored and what did not resolve.</summary>
public sealed record ExtractionOutcome(ArticleFacts Article, IReadOnlyList<IngestedFact> Ingested, IReadOnlyList<UnresolvedFact> Unresolved, IngestResult? Ingest);

/// <summary>
/// Press releases into observations: extract with the catalog's vocabulary and districts, then ingest the facts whose
/// district and indicator resolve through the same validation and revisions as <c>POST /api/observations</c>.
/// Targets are plans, not observations, and are never ingested; nor is anything added to the catalog.
/// </summary>
public sealed class PressReleaseIngestion(ObservationStore store, CatalogStore catalog)
{
    // One vocabulary per catalog snapshot (snapshots are replaced, never changed).
    private static readonly ConditionalWeakTable<CatalogSnapshot, IndicatorVocabulary> Vocabularies = new();

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The body as text: UTF-8 (a byte-order mark skipped); anything else is a <see cref="FormatException"/>.</summary>
    public static string Decode(ReadOnlySpan<byte> body)
    {
        if (body.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            body = body[3..];
        try
        {
            return StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            throw new FormatException("body is not valid UTF-8 (send the article encoded as UTF-8)");
        }
    }

    /// <summary>Extracts an article; with <paramref name="ingest"/>, stores what resolves under batch <paramref name="batchId"/>.</summary>
    public async Task<ExtractionOutcome> ReadAsync(ArticleInput input, bool ingest, string batchId, string sourceReference, CancellationToken cancellationToken)
    {
        var snapshot = await catalog.GetAsync(cancellationToken);
        var vocabulary = Vocabularies.GetValue(snapshot, s => IndicatorVocabulary.From(s.Indicators.Values));
        var article = FactExtractor.Extract(input, vocabulary, snapshot);
        if (!ingest)
            return new ExtractionOutcome(article, [], [], null);

        var unresolved = new List<UnresolvedFact>();
        var rows = new List<(int Fact, ObservationInput Row)>();
        for (var i = 0; i < article.Facts.Count; i++)
        {
            var fact = article.Facts[i];
            if (fact.Kind == FactKinds.Target)
                unresolved.Add(new UnresolvedFact(i, "a target (a plan for a future period), not an observation"));
            else if (fact.DistrictId is null)
                unresolved.Add(new UnresolvedFact(i, fact.District is null ? "no district named in the text or the request" : $"district '{fact.District}' is not in the catalog (by id, name or alias)"));
            else if (!snapshot.Indicators.TryGetValue(fact.Indicator, out var indicator))
                unresolved.Add(new UnresolvedFact(i, $"indicator '{fact.Indicator}' is not in the catalog"));
            else if (!string.Equals(indicator.Unit, fact.Unit, StringComparison.OrdinalIgnoreCase))
                unresolved.Add(new UnresolvedFact(i, $"indicator '{fact.Indicator}' is measured in {indicator.Unit}, the figure in {fact.Unit}"));
            else
                rows.Add((i, new ObservationInput(rows.Count + 1, fact.DistrictId, fact.Indicator, fact.Period, fact.Value, null, fact.Unit, null,
                    fact.Final ? "final" : "provisional", SourceOf(sourceReference, fact))));
        }
        if (rows.Count == 0)
            return new ExtractionOutcome(article, [], unresolved, null);

        var result = await store.ApplyAsync(batchId, rows.Select(r => r.Row).ToList(), cancellationToken);
        var failed = result.Errors.Select(e => e.Row).Concat(result.NotStored.Select(n => n.Row)).ToHashSet();
        foreach (var error in result.Errors)
            unresolved.Add(new UnresolvedFact(rows[error.Row - 1].Fact, $"{error.Field}: {error.Message}"));
        foreach (var row in result.NotStored)
            unresolved.Add(new UnresolvedFact(rows[row.Row - 1].Fact, row.Reason));
        var ingested = rows.Where(r => !failed.Contains(r.Row.Row))
            .Select(r => new IngestedFact(r.Fact, r.Row.District!, r.Row.Indicator!, r.Row.Period!, r.Row.Source!)).ToList();
        return new ExtractionOutcome(article, ingested, unresolved.OrderBy(u => u.Fact).ToList(), result);
    }

    /// <summary>The article's reference and the figure's character span (RFC 5147 style), within the source field's limit.</summary>
    private static string SourceOf(string reference, ExtractedFact fact)
    {
        var span = $"#char={fact.Start},{fact.End}";
        var max = ObservationValidator.MaxSourceLength - span.Length;
        return (reference.Length > max ? reference[..max] : reference) + span;
    }
}
