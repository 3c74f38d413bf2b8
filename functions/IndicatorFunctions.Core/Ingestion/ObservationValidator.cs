using IndicatorFunctions.Catalog;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Ingestion;

/// <summary>Checks each row against the catalog and the domain rules; every broken rule is reported with its field.</summary>
public static class ObservationValidator
{
    public const int MaxSourceLength = 256;

    /// <summary>
    /// A stored value (value × scale, in the indicator's canonical unit) is 0 or of a magnitude in
    /// [<see cref="MinMagnitude"/>, <see cref="MaxMagnitude"/>]. 1e15 is about seven times China's GDP in CNY and
    /// below 2^53, so integer amounts are exact and sums of up to 10^5 members stay far from overflow; 1e-9 keeps
    /// growth rates finite (a change of at most 2e15 over a base of at least 1e-9); no economic figure in a
    /// canonical unit (CNY, count, percent, sq_m) is smaller.
    /// </summary>
    public const double MaxMagnitude = 1e15, MinMagnitude = 1e-9;

    public const string RangeRule = "value must be 0 or of a magnitude between 1e-9 and 1e15";

    public static ValidObservation? Validate(ObservationInput input, CatalogSnapshot catalog, List<RowError> errors)
    {
        if (input.Unreadable is { } unreadable)
        {
            errors.Add(unreadable);
            return null;
        }
        var before = errors.Count;
        void Error(string field, string rule, string message) => errors.Add(new RowError(input.Row, field, message, rule));

        // Text is printable, one line: a control character (NUL above all) is named, never echoed or stored.
        foreach (var (field, text) in TextFields(input))
        {
            if (text?.IndexOfAny(ControlCharacters) is >= 0 and var at)
                Error(field, RowRules.Printable, $"{field} contains control character U+{(int)text[at]:X4} at position {at + 1}; text fields must be printable, on one line");
        }
        if (errors.Count > before)
            return null;

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
        if (Math.Abs(canonical) is > MaxMagnitude or (< MinMagnitude and > 0))
        {
            Error("value", RowRules.Range, scale == 1
                ? $"{RangeRule}; {canonical:R} is not"
                : $"{RangeRule} after scale; {input.Value.Value:R} × {scale:R} = {canonical:R} is not");
            return null;
        }
        return new ValidObservation(input.Row, new SeriesKey(indicator!.Id, district!.Id, sector), period, canonical,
            input.Value.Value, scale, indicator.Unit, status, input.Source);
    }

    private static readonly char[] ControlCharacters = Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7F, 0x21)).Select(c => (char)c).ToArray();

    private static IEnumerable<(string Field, string? Text)> TextFields(ObservationInput input) =>
    [
        ("district", input.District), ("indicator", input.Indicator), ("period", input.Period), ("value", input.ValueText),
        ("sector", input.Sector), ("unit", input.Unit), ("scale", input.ScaleText), ("status", input.Status), ("source", input.Source),
    ];
}
