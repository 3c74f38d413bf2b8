using IndicatorFunctions.Catalog;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Ingestion;

namespace IndicatorFunctions.Tests.Pipeline;

/// <summary>Every rule the validator checks has its own stable code, so rejected rows can be counted by field and rule.</summary>
public sealed class RowRuleTests
{
    private static readonly CatalogSnapshot Catalog = new(
        [new Indicator("gdp", "GDP", "CNY", AggregationMethod.Sum, 2, null)],
        [new District("xuhui", "Xuhui", "central", [])],
        []);

    private static readonly ObservationInput Ok = new(2, "xuhui", "gdp", "2021", 1.5, null, null, null, null, null);

    public static TheoryData<string, ObservationInput, string, string> Broken => new()
    {
        { "no district", Ok with { District = " " }, "district", RowRules.Required },
        { "unknown district", Ok with { District = "nowhere" }, "district", RowRules.Unknown },
        { "no indicator", Ok with { Indicator = null }, "indicator", RowRules.Required },
        { "unknown indicator", Ok with { Indicator = "gnp" }, "indicator", RowRules.Unknown },
        { "sector not a slug", Ok with { Sector = "A I" }, "sector", RowRules.Slug },
        { "no period", Ok with { Period = "" }, "period", RowRules.Required },
        { "not a period", Ok with { Period = "2021-13" }, "period", RowRules.Period },
        { "no value", Ok with { Value = null }, "value", RowRules.Required },
        { "value not a number", Ok with { Value = null, ValueText = "abc" }, "value", RowRules.Number },
        { "value not finite", Ok with { Value = double.PositiveInfinity }, "value", RowRules.Finite },
        { "scale not a number", Ok with { ScaleText = "x" }, "scale", RowRules.Number },
        { "scale zero", Ok with { Scale = 0 }, "scale", RowRules.Positive },
        { "other unit", Ok with { Unit = "USD" }, "unit", RowRules.Unit },
        { "unknown status", Ok with { Status = "guess" }, "status", RowRules.Status },
        { "source too long", Ok with { Source = new string('s', ObservationValidator.MaxSourceLength + 1) }, "source", RowRules.TooLong },
        { "value × scale overflows", Ok with { Value = 1e300, Scale = 1e300 }, "scale", RowRules.Overflow },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Each_broken_rule_is_reported_with_its_field_and_code(string because, ObservationInput input, string field, string rule)
    {
        var errors = new List<RowError>();

        Assert.Null(ObservationValidator.Validate(input, Catalog, errors));

        var error = Assert.Single(errors);
        Assert.True((field, rule) == (error.Field, error.Rule), $"{because}: got {error.Field}/{error.Rule} ({error.Message})");
    }
}
