namespace IndicatorFunctions.Domain;

/// <summary>How firm a figure is. Derived figures carry the weakest status of their inputs.</summary>
public enum ObservationStatus
{
    // Ordered strongest first, so the weakest of several is the maximum.
    Final = 0,
    Provisional = 1,
    Estimated = 2,
}

public static class StatusNames
{
    public static string ToName(this ObservationStatus status) => status switch
    {
        ObservationStatus.Final => "final",
        ObservationStatus.Provisional => "provisional",
        ObservationStatus.Estimated => "estimated",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static bool TryParse(string? text, out ObservationStatus status)
    {
        (var ok, status) = text switch
        {
            "final" => (true, ObservationStatus.Final),
            "provisional" => (true, ObservationStatus.Provisional),
            "estimated" => (true, ObservationStatus.Estimated),
            _ => (false, ObservationStatus.Final),
        };
        return ok;
    }

    public static ObservationStatus Weakest(ObservationStatus a, ObservationStatus b) => a > b ? a : b;
}
