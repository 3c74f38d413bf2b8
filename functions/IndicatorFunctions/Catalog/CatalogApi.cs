using IndicatorFunctions.Api;
using Microsoft.Azure.Functions.Worker;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Catalog;

public sealed record IndicatorBody(string? Name, string? Unit, string? Aggregation, int? Decimals, string? Description, List<string>? Phrases);

public sealed record DistrictBody(string? Name, string? Region, List<string>? Aliases);

public sealed record MemberBody(string? District, string? Sector, int? From, int? To);

public sealed record ClusterBody(string? Name, string? Kind, List<MemberBody>? Members, double? MinCoverage);

/// <summary>Catalog functions: admin PUTs (validated field by field), anonymous GETs from the cached snapshot.</summary>
public sealed class CatalogApi(CatalogStore catalog, Freshness freshness)
{
    private const int MinYear = 1900, MaxYear = 2199;

    [Function("GetIndicators")]
    public async Task<IResult> GetIndicatorsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "indicators")] HttpRequest request, CancellationToken cancellationToken)
    {
        var (snapshot, state) = (await catalog.GetAsync(cancellationToken), await freshness.GetAsync(cancellationToken));
        return Cached.Json(new { state.RunId, state.AggregatedAt, state.PendingChanges, indicators = snapshot.Indicators.Values.OrderBy(i => i.Id, StringComparer.Ordinal) });
    }

    [Function("GetDistricts")]
    public async Task<IResult> GetDistrictsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "districts")] HttpRequest request, CancellationToken cancellationToken)
    {
        var (snapshot, state) = (await catalog.GetAsync(cancellationToken), await freshness.GetAsync(cancellationToken));
        return Cached.Json(new { state.RunId, state.AggregatedAt, state.PendingChanges, districts = snapshot.Districts.Values.OrderBy(d => d.Id, StringComparer.Ordinal) });
    }

    [Function("GetClusters")]
    public async Task<IResult> GetClustersAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clusters")] HttpRequest request, CancellationToken cancellationToken)
    {
        var (snapshot, state) = (await catalog.GetAsync(cancellationToken), await freshness.GetAsync(cancellationToken));
        return Cached.Json(new { state.RunId, state.AggregatedAt, state.PendingChanges, clusters = snapshot.Clusters.Values.OrderBy(c => c.Id, StringComparer.Ordinal) });
    }

    [Function("GetCluster")]
    public async Task<IResult> GetClusterAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "clusters/{id}")] HttpRequest request, string id, CancellationToken cancellationToken)
    {
        if (!Slug.IsValid(id))
            return Problems.Validation("id", $"id '{id}' must be {Slug.Rule}");
        var snapshot = await catalog.GetAsync(cancellationToken);
        if (!snapshot.Clusters.TryGetValue(id, out var cluster))
            return Problems.NotFound("cluster", id);
        var state = await freshness.GetAsync(cancellationToken);
        return Cached.Json(new { state.RunId, state.AggregatedAt, state.PendingChanges, cluster.Id, cluster.Name, cluster.Kind, cluster.Members, cluster.MinCoverage });
    }

    [Function("PutIndicator")]
    public async Task<IResult> PutIndicatorAsync(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = "indicators/{id}")] HttpRequest request, string id, CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestBody<IndicatorBody>.ReadAsync(request, """{"name": "GDP", "unit": "CNY", "aggregation": "sum"}""", cancellationToken);
        if (problem is not null)
            return problem;
        var errors = new List<FieldError>();
        Slug.Check(errors, "id", id);
        if (body is null)
            return Problems.Validation("body", "a JSON indicator is required");
        Required(errors, "name", body.Name, 200);
        if (string.IsNullOrWhiteSpace(body.Unit) || body.Unit.Length > 32 || body.Unit.Any(char.IsWhiteSpace))
            errors.Add(new FieldError("unit", "unit is required: a canonical unit name such as CNY, count, percent or sq_m (no spaces, at most 32 characters)"));
        if (!TryParseName<AggregationMethod>(body.Aggregation, out var aggregation))
            errors.Add(new FieldError("aggregation", "aggregation must be sum, mean, min, max or none"));
        if (body.Decimals is < 0 or > 12)
            errors.Add(new FieldError("decimals", "decimals must be between 0 and 12"));
        if (body.Description is { Length: > 2000 })
            errors.Add(new FieldError("description", "description is longer than 2000 characters"));
        var phrases = body.Phrases ?? [];
        if (phrases.Count > 100)
            errors.Add(new FieldError("phrases", "at most 100 phrases"));
        for (var i = 0; i < phrases.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(phrases[i]) || phrases[i].Trim().Length < 2 || phrases[i].Length > 200 || phrases[i].Any(char.IsControl))
                errors.Add(new FieldError($"phrases[{i}]", "a phrase is 2-200 characters without control characters"));
        }
        if (errors.Count > 0)
            return Problems.Validation(errors);

        var snapshot = await catalog.GetAsync(cancellationToken, fresh: true);
        var existing = snapshot.Indicators.GetValueOrDefault(id);
        // Stored values are in the canonical unit: changing it would silently change what every stored number means.
        if (existing is not null && existing.Unit != body.Unit)
            return Problems.Conflict($"indicator {id} is measured in {existing.Unit}; its unit cannot change to {body.Unit} (create a new indicator instead)");
        var indicator = new Indicator(id, body.Name!.Trim(), body.Unit!, aggregation, body.Decimals ?? 2, body.Description) { Phrases = phrases.Select(p => p.Trim()).ToList() };
        var created = await catalog.PutIndicatorAsync(indicator, aggregationChanged: existing is not null && existing.Aggregation != aggregation, cancellationToken);
        freshness.Invalidate();
        return created ? TypedResults.Created($"/api/indicators/{id}", indicator) : TypedResults.Ok(indicator);
    }

    [Function("PutDistrict")]
    public async Task<IResult> PutDistrictAsync(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = "districts/{id}")] HttpRequest request, string id, CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestBody<DistrictBody>.ReadAsync(request, """{"name": "Xuhui", "aliases": ["徐汇区"]}""", cancellationToken);
        if (problem is not null)
            return problem;
        var errors = new List<FieldError>();
        Slug.Check(errors, "id", id);
        if (body is null)
            return Problems.Validation("body", "a JSON district is required");
        Required(errors, "name", body.Name, 200);
        if (body.Region is { Length: > 100 })
            errors.Add(new FieldError("region", "region is longer than 100 characters"));
        var aliases = body.Aliases ?? [];
        if (aliases.Count > 20)
            errors.Add(new FieldError("aliases", "at most 20 aliases"));
        for (var i = 0; i < aliases.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(aliases[i]) || aliases[i].Length > 100)
                errors.Add(new FieldError($"aliases[{i}]", "an alias is 1-100 characters"));
        }
        if (errors.Count > 0)
            return Problems.Validation(errors);

        var district = new District(id, body.Name!.Trim(), body.Region, aliases.Select(a => a.Trim()).ToList());
        // Districts stored before names were reserved (see DistrictNameEntity) hold their names only in the snapshot.
        var snapshot = await catalog.GetAsync(cancellationToken, fresh: true);
        foreach (var name in district.Aliases.Append(district.Name))
        {
            if (snapshot.FindDistrict(name) is { } other && other.Id != id)
                return NameTaken(district, new NameTaken(name, other.Id));
        }
        var put = await catalog.PutDistrictAsync(district, cancellationToken);
        return put.Outcome switch
        {
            DistrictWrite.Created => TypedResults.Created($"/api/districts/{id}", district),
            DistrictWrite.Replaced => TypedResults.Ok(district),
            DistrictWrite.NameTaken => NameTaken(district, put.Taken!),
            _ => Problems.Unavailable($"other requests wrote district {id} at the same time; nothing was stored, send it again", retryAfterSeconds: 1),
        };
    }

    /// <summary>409 naming the field (<c>name</c> or <c>aliases[i]</c>) and, as <c>district</c>, the district that holds the name.</summary>
    private static IResult NameTaken(District district, NameTaken taken)
    {
        var key = DistrictNameEntity.Key(taken.Name);
        var alias = district.Aliases.ToList().FindIndex(a => DistrictNameEntity.Key(a) == key);
        var field = DistrictNameEntity.Key(district.Name) == key || alias < 0 ? "name" : $"aliases[{alias}]";
        var message = $"'{taken.Name}' already names district {taken.District}: a name or alias must identify one district";
        return Problems.Conflict(message, new Dictionary<string, object?> { ["district"] = taken.District, ["errors"] = new[] { new FieldError(field, message) } });
    }

    [Function("PutCluster")]
    public async Task<IResult> PutClusterAsync(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = "clusters/{id}")] HttpRequest request, string id, CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestBody<ClusterBody>.ReadAsync(request, """{"name": "AI", "kind": "industrial", "members": [{"district": "xuhui", "sector": "ai"}]}""", cancellationToken);
        if (problem is not null)
            return problem;
        var errors = new List<FieldError>();
        Slug.Check(errors, "id", id);
        if (body is null)
            return Problems.Validation("body", "a JSON cluster is required");
        Required(errors, "name", body.Name, 200);
        if (!TryParseName<ClusterKind>(body.Kind, out var kind))
            errors.Add(new FieldError("kind", "kind must be industrial or region"));
        if (body.MinCoverage is { } min && (!double.IsFinite(min) || min <= 0 || min > 1))
            errors.Add(new FieldError("minCoverage", "minCoverage must be greater than 0 and at most 1"));
        var members = body.Members ?? [];
        if (members.Count == 0)
            errors.Add(new FieldError("members", "a cluster needs at least one member"));
        var snapshot = await catalog.GetAsync(cancellationToken, fresh: true);
        for (var i = 0; i < members.Count; i++)
        {
            var m = members[i];
            var at = $"members[{i}]";
            if (!Slug.IsValid(m.District))
                errors.Add(new FieldError($"{at}.district", $"district '{m.District}' must be {Slug.Rule}"));
            else if (!snapshot.Districts.ContainsKey(m.District!))
                errors.Add(new FieldError($"{at}.district", $"unknown district '{m.District}'"));
            if (m.Sector is not null && !Slug.IsValid(m.Sector))
                errors.Add(new FieldError($"{at}.sector", $"sector '{m.Sector}' must be {Slug.Rule}"));
            else if (m.Sector == Slug.TotalSector)
                errors.Add(new FieldError($"{at}.sector", $"sector '{Slug.TotalSector}' is the district itself: omit sector"));
            if (kind == ClusterKind.Region && m.Sector is not null)
                errors.Add(new FieldError($"{at}.sector", "a region cluster groups whole districts: members have no sector"));
            if (m.From is < MinYear or > MaxYear || m.To is < MinYear or > MaxYear)
                errors.Add(new FieldError($"{at}.from", $"from and to are years between {MinYear} and {MaxYear}"));
            else if (m.From > m.To)
                errors.Add(new FieldError($"{at}.to", $"to ({m.To}) is before from ({m.From})"));
        }
        // The same member twice must not count twice in a year: its date ranges may not overlap.
        foreach (var group in members.Select((m, i) => (m, i)).GroupBy(x => (x.m.District, x.m.Sector)))
        {
            var ranges = group.OrderBy(x => x.m.From ?? MinYear).ToList();
            for (var k = 1; k < ranges.Count; k++)
            {
                if ((ranges[k].m.From ?? MinYear) <= (ranges[k - 1].m.To ?? MaxYear))
                    errors.Add(new FieldError($"members[{ranges[k].i}]", $"member {group.Key.District}{(group.Key.Sector is null ? "" : "/" + group.Key.Sector)} is listed with overlapping years"));
            }
        }
        if (errors.Count > 0)
            return Problems.Validation(errors);

        var cluster = new Cluster(id, body.Name!.Trim(), kind, members.Select(m => new ClusterMember(m.District!, m.Sector, m.From, m.To)).ToList(), body.MinCoverage);
        var created = await catalog.PutClusterAsync(cluster, cancellationToken);
        freshness.Invalidate();
        return created ? TypedResults.Created($"/api/clusters/{id}", cluster) : TypedResults.Ok(cluster);
    }

    /// <summary>An enum by its name only (case-insensitive): "2" or "sum,max" are not names.</summary>
    private static bool TryParseName<TEnum>(string? text, out TEnum value) where TEnum : struct, Enum =>
        Enum.TryParse(text, ignoreCase: true, out value) && Enum.GetNames<TEnum>().Contains(text!.Trim(), StringComparer.OrdinalIgnoreCase);

    private static void Required(List<FieldError> errors, string field, string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value))
            errors.Add(new FieldError(field, $"{field} is required"));
        else if (value.Length > max)
            errors.Add(new FieldError(field, $"{field} is longer than {max} characters"));
    }
}
