using IndicatorFunctions.Catalog;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Ingestion;

/// <summary>Checks each row against the catalog and the domain rules; every broken rule is reported with its field.</summary>
public static class ObservationValidator
{
    public const int MaxSourceLength = 256;

    public static ValidObservation? Validate(ObservationInput input, CatalogSnapshot catalog, List<RowError> errors)
    {
        var before = errors.Count;
        void Error(string field, string rule, string message) => errors.Add(new RowError(input.Row, field, message, rule));

        District? district = null;
        if (string.IsNullOrWhiteSpace(input.District))
            Error("district", RowRules.Required, "district is required");
        else if ((district = catalog.FindDistrict(input.District)) is null)
            Error("district", RowRules.Unknown, $"unknown district '{input.District}'");

        Indicator? indicator = null;
        if (string.IsNullOrWhiteSpace(input.Indicator))
            Error("indicator", RowRules.Required, "indicator is required");
        else if (!catalog.Indicators.TryGetValue(input.Indicator, out indicator))
            Error("indicator", RowRules.Unknown, $"unknown indicator '{input.Indicator}'");

        var sector = input.Sector ?? Slug.TotalSector;
        if (!Slug.IsValid(sector))
            Error("sector", RowRules.Slug, $"sector '{sector}' must be {Slug.Rule}");

        Period period = default;
        if (string.IsNullOrWhiteSpace(input.Period))
            Error("period", RowRules.Required, "period is required");
        else if (!Period.TryParse(input.Period, out period))
            Error("period", RowRules.Period, $"'{input.Period}' is not a period ({Period.Syntax})");

        if (input.Value is null && input.ValueText is null)
            Error("value", RowRules.Required, "value is required");
        else if (input.Value is not { } value)
            Error("value", RowRules.Number, $"value {input.ValueText} is not a number");
        else if (!double.IsFinite(value))
            Error("value", RowRules.Finite, "value must be a finite number");

        var scale = input.Scale ?? 1;
        if (input.Scale is null && input.ScaleText is not null)
            Error("scale", RowRules.Number, $"scale {input.ScaleText} is not a number");
        else if (!double.IsFinite(scale) || scale <= 0)
            Error("scale", RowRules.Positive, "scale must be a finite number greater than 0");

        if (indicator is not null && input.Unit is not null && !string.Equals(input.Unit, indicator.Unit, StringComparison.OrdinalIgnoreCase))
            Error("unit", RowRules.Unit, $"indicator {indicator.Id} is measured in {indicator.Unit}, not {input.Unit}");

        var status = ObservationStatus.Final;
        if (input.Status is not null && !StatusNames.TryParse(input.Status, out status))
            Error("status", RowRules.Status, $"status '{input.Status}' must be final, provisional or estimated");

        if (input.Source is { Length: > MaxSourceLength })
            Error("source", RowRules.TooLong, $"source is {input.Source.Length} characters long; the limit is {MaxSourceLength}");

        if (errors.Count > before)
            return null;

        var canonical = input.Value!.Value * scale;
        if (!double.IsFinite(canonical))
        {
            Error("scale", RowRules.Overflow, "value × scale overflows");
            return null;
        }
        return new ValidObservation(input.Row, new SeriesKey(indicator!.Id, district!.Id, sector), period, canonical,
            input.Value.Value, scale, indicator.Unit, status, input.Source);
    }
}
