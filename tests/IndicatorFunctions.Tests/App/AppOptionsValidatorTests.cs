using Microsoft.Extensions.Options;

namespace IndicatorFunctions.Tests.App;

public sealed class AppOptionsValidatorTests
{
    private static ValidateOptionsResult Validate(AppOptions options) => new AppOptions.Validator().Validate(null, options);

    [Theory]
    [InlineData(1, true)]
    [InlineData(8, true)]
    [InlineData(20, true)]
    [InlineData(0, false)]
    [InlineData(21, false)]
    [InlineData(-1, false)]
    public void Ingest_attempts_are_between_1_and_20_and_a_bad_value_names_the_setting(int attempts, bool valid)
    {
        var result = Validate(new AppOptions { IngestAttempts = attempts });

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
            Assert.Contains(nameof(AppOptions.IngestAttempts), result.FailureMessage);
    }
}
