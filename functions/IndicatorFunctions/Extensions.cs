using IndicatorFunctions.Health;
using IndicatorFunctions.Hosting;
using IndicatorFunctions.Runs;

namespace IndicatorFunctions;

public static class Extensions
{
    /// <summary>All of the app's services; settings are validated here so a bad one stops start-up with its name.</summary>
    public static void AddIndicatorServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => StorageAccount.FromConfiguration(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<HealthApi.HealthProbe>();
        services.AddSingleton<RunLedger>();
        services.AddSingleton<TimerFunctions>();
        services.AddHostedService<StandaloneScheduler>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase)));

        // Fail at start-up, naming the setting, rather than on the first request or the first night.
        StorageAccount.FromConfiguration(builder.Configuration);
        FunctionMetadata.ReadTimerTriggers(AppContext.BaseDirectory, builder.Configuration);
    }
}
