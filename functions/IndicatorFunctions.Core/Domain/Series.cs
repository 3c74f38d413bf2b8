namespace IndicatorFunctions.Domain;

/// <summary>A series: one indicator for one district and sector.</summary>
public readonly record struct SeriesKey(string Indicator, string District, string Sector)
{
    // Indicator first: a run reads one indicator's series as one key range.
    public string PartitionKey => $"{Indicator}|{District}|{Sector}";

    public static SeriesKey FromPartitionKey(string partitionKey)
    {
        var parts = partitionKey.Split('|');
        return parts.Length == 3 ? new SeriesKey(parts[0], parts[1], parts[2]) : throw new FormatException($"'{partitionKey}' is not a series key.");
    }

    public override string ToString() => PartitionKey;
}

/// <summary>The current value of one series point, in canonical units.</summary>
public sealed record Observation(Period Period, double Value, ObservationStatus Status, string? Source);
