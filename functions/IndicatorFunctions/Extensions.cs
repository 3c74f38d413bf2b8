using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Api;
using IndicatorFunctions.Catalog;
using IndicatorFunctions.Data;
using IndicatorFunctions.Health;
using IndicatorFunctions.Hosting;
using IndicatorFunctions.Ingestion;
using IndicatorFunctions.Runs;

namespace IndicatorFunctions;

public static class Extensions
{
    public const string CorsOriginsSetting = "CorsOrigins";

    /// <summary>All of the app's services; settings are validated here so a bad one stops start-up with its name.</summary>
    public static void AddIndicatorServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        // Built (and so validated) now: a bad setting stops start-up with its name, not the first request.
        services.AddSingleton(StorageAccount.FromConfiguration(builder.Configuration));
        services.AddSingleton<IndicatorTables>();
        services.AddSingleton<ChangeTracker>();
        services.AddSingleton<CatalogStore>();
        services.AddSingleton<ObservationStore>();
        services.AddSingleton<RunLedger>();
        services.AddSingleton<AggregationRunner>();
        services.AddSingleton<Freshness>();
        services.AddSingleton<ReadCache>();
        services.AddSingleton<HealthApi.HealthProbe>();
        services.AddSingleton<TimerFunctions>();
        services.AddHostedService<StandaloneScheduler>();
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase)));

        // Dashboards on other origins may read; the setting is a comma-separated list of origins.
        var origins = builder.Configuration[CorsOriginsSetting]?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        services.AddCors(o => o.AddDefaultPolicy(p => p.WithOrigins(origins).WithMethods("GET").WithHeaders("If-None-Match").WithExposedHeaders("ETag")));

        // A bad schedule fails at start-up, naming the setting, rather than on the first night.
        FunctionMetadata.ReadTimerTriggers(AppContext.BaseDirectory, builder.Configuration);
    }
}
