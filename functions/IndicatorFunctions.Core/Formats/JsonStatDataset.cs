using System.Text.Json.Nodes;

namespace IndicatorFunctions.Formats;

/// <summary>A dimension's role in JSON-stat: which one is time, which geography, which holds the measures (and their units).</summary>
public enum JsonStatRole { None, Time, Geo, Metric }

/// <summary>A category of a dimension; a category of the metric dimension carries its <see cref="Unit"/>.</summary>
public sealed record JsonStatCategory(string Id, string? Label = null, JsonStatUnit? Unit = null);

/// <summary>JSON-stat's <c>category.unit</c> entry: the unit's label and the decimals its values are shown with.</summary>
public sealed record JsonStatUnit(string Label, int Decimals);

public sealed record JsonStatDimension(string Id, string Label, IReadOnlyList<JsonStatCategory> Categories, JsonStatRole Role = JsonStatRole.None);

/// <summary>
/// A JSON-stat 2.0 <c>dataset</c> (https://json-stat.org/full/): dimensions in <c>id</c> order with their
/// <c>size</c>, the values as a dense array in row-major order (the last dimension varies fastest), a
/// <c>status</c> per value, and <c>updated</c>/<c>extension</c> as given. <c>null</c> is a value the dataset has
/// no figure for. The cube must be whole: the product of the sizes is the number of values and of statuses.
/// </summary>
public sealed record JsonStatDataset
{
    public required string Label { get; init; }
    public required IReadOnlyList<JsonStatDimension> Dimensions { get; init; }
    public required IReadOnlyList<double?> Values { get; init; }
    public required IReadOnlyList<string?> Status { get; init; }
    public DateTimeOffset? Updated { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = [];
    public JsonObject Extension { get; init; } = [];

    public JsonObject ToJson()
    {
        var cells = Dimensions.Aggregate(1L, (product, d) => product * d.Categories.Count);
        if (cells != Values.Count || cells != Status.Count)
            throw new ArgumentException($"the dimensions make {cells} cells, but there are {Values.Count} values and {Status.Count} statuses");
        if (Dimensions.Select(d => d.Id).Distinct(StringComparer.Ordinal).Count() != Dimensions.Count)
            throw new ArgumentException("dimension ids must be distinct");

        var dataset = new JsonObject
        {
            ["version"] = "2.0",
            ["class"] = "dataset",
            ["label"] = Label,
        };
        if (Updated is { } updated)
            dataset["updated"] = updated;
        if (Notes.Count > 0)
            dataset["note"] = Strings(Notes);
        dataset["id"] = Strings(Dimensions.Select(d => d.Id));
        dataset["size"] = new JsonArray([.. Dimensions.Select(d => JsonValue.Create(d.Categories.Count))]);
        var roles = Roles();
        if (roles.Count > 0)
            dataset["role"] = roles;
        dataset["dimension"] = new JsonObject(Dimensions.Select(d => KeyValuePair.Create(d.Id, (JsonNode?)Dimension(d))));
        dataset["value"] = Numbers(Values);
        dataset["status"] = Strings(Status);
        dataset["extension"] = Extension.DeepClone();
        return dataset;
    }

    private JsonObject Roles()
    {
        var roles = new JsonObject();
        foreach (var role in new[] { JsonStatRole.Time, JsonStatRole.Geo, JsonStatRole.Metric })
        {
            var ids = Dimensions.Where(d => d.Role == role).Select(d => d.Id).ToList();
            if (ids.Count > 0)
                roles[role.ToString().ToLowerInvariant()] = Strings(ids);
        }
        return roles;
    }

    private static JsonObject Dimension(JsonStatDimension dimension)
    {
        if (dimension.Categories.Select(c => c.Id).Distinct(StringComparer.Ordinal).Count() != dimension.Categories.Count)
            throw new ArgumentException($"dimension {dimension.Id} lists a category twice");
        if (dimension.Role == JsonStatRole.Metric && dimension.Categories.Any(c => c.Unit is null))
            throw new ArgumentException($"every category of the metric dimension {dimension.Id} needs a unit");
        var category = new JsonObject { ["index"] = Strings(dimension.Categories.Select(c => c.Id)) };
        // JSON-stat wants at least one entry in a label or unit object when it is there at all.
        var labelled = dimension.Categories.Where(c => c.Label is not null).ToList();
        if (labelled.Count > 0)
            category["label"] = new JsonObject(labelled.Select(c => KeyValuePair.Create(c.Id, (JsonNode?)c.Label)));
        var units = dimension.Categories.Where(c => c.Unit is not null).ToList();
        if (units.Count > 0)
            category["unit"] = new JsonObject(units.Select(c => KeyValuePair.Create(c.Id, (JsonNode?)new JsonObject
            {
                ["label"] = c.Unit!.Label,
                ["decimals"] = c.Unit.Decimals,
            })));
        return new JsonObject { ["label"] = dimension.Label, ["category"] = category };
    }

    /// <summary>A JSON array of numbers and nulls, for <c>value</c> and for figures aligned with it in <c>extension</c>.</summary>
    public static JsonArray Numbers(IEnumerable<double?> values) => new([.. values.Select(v => v is { } d ? JsonValue.Create(d) : null)]);

    public static JsonArray Numbers(IEnumerable<int> values) => new([.. values.Select(v => JsonValue.Create(v))]);

    public static JsonArray Strings(IEnumerable<string?> values) => new([.. values.Select(v => v is null ? null : JsonValue.Create(v))]);
}
