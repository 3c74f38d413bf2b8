using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Api;
using IndicatorFunctions.Catalog;
using IndicatorFunctions.Collection;
using IndicatorFunctions.Data;
using IndicatorFunctions.Health;
using IndicatorFunctions.Hosting;
using IndicatorFunctions.Ingestion;
using IndicatorFunctions.Runs;
using Microsoft.Extensions.Options;

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
        services.AddCollection();
        services.AddSingleton<Freshness>();
        services.AddSingleton<ReadCache>();
        services.AddSingleton<HealthApi.HealthProbe>();
        services.AddSingleton<TimerFunctions>();
        services.AddHostedService<StandaloneScheduler>();
        services.AddHostedService<StartupRun>();
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase)));

        // Dashboards on other origins may read; the setting is a comma-separated list of origins.
        var origins = builder.Configuration[CorsOriginsSetting]?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        services.AddCors(o => o.AddDefaultPolicy(p => p.WithOrigins(origins).WithMethods("GET").WithHeaders("If-None-Match").WithExposedHeaders("ETag")));

        // A bad schedule fails at start-up, naming the setting, rather than on the first night.
        FunctionMetadata.ReadTimerTriggers(AppContext.BaseDirectory, builder.Configuration);
    }

    /// <summary>Sources, their store, and the resilient HTTP client that fetches them (Polly 8 in a DelegatingHandler on IHttpClientFactory).</summary>
    private static void AddCollection(this IServiceCollection services)
    {
        services.AddOptions<CollectionOptions>().BindConfiguration(CollectionOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CollectionOptions>, CollectionOptions.Validator>();
        services.AddSingleton<SourcePipelines>();
        services.AddTransient<SourceResilienceHandler>();
        services.AddHttpClient(SourceFetcher.ClientName, client =>
            {
                // Each attempt has its own timeout in the pipeline, and the run its deadline: no second clock here.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("IndicatorFunctions/" + typeof(Extensions).Assembly.GetName().Version?.ToString(3));
            })
            // Redirects are followed by SourceFetcher, which keeps secret headers to the source's own origin.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AutomaticDecompression = System.Net.DecompressionMethods.All, AllowAutoRedirect = false })
            .AddHttpMessageHandler<SourceResilienceHandler>();
        services.AddSingleton<SourceStore>();
        services.AddSingleton<SourceFetcher>();
        services.AddSingleton<Collector>();
    }
}
