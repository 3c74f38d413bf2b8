using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Api;
using IndicatorFunctions.Catalog;
using IndicatorFunctions.Collection;
using IndicatorFunctions.Data;
using IndicatorFunctions.Health;
using IndicatorFunctions.Ingestion;
using IndicatorFunctions.Runs;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace IndicatorFunctions;

public static class Extensions
{
    public const string CorsOriginsSetting = "CorsOrigins";

    /// <summary>
    /// The app's services, the same under the Functions host and in local mode. Settings are validated here, so a
    /// bad one stops start-up with its name rather than failing the first request or the first night.
    /// </summary>
    public static void AddIndicatorServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);

        // Built (and so validated) now: a bad setting stops start-up with its name, not the first request.
        var storage = StorageAccount.FromConfiguration(builder.Configuration);
        services.AddSingleton(storage);
        // The SDK clients as Microsoft.Extensions.Azure registers them, which also forwards the SDK's own
        // diagnostics (retries, timeouts) to ILogger.
        services.AddAzureClients(clients =>
        {
            clients.AddClient<TableServiceClient, TableClientOptions>(_ => storage.Tables);
            clients.AddClient<BlobServiceClient, BlobClientOptions>(_ => storage.Blobs);
        });
        services.AddSingleton<IndicatorTables>();
        services.AddSingleton<ChangeTracker>();
        services.AddSingleton<CatalogStore>();
        services.AddSingleton<ObservationStore>();
        services.AddSingleton<Extraction.PressReleaseIngestion>();
        services.AddSingleton<RunLedger>();
        services.AddSingleton<AggregationRunner>();
        services.AddSingleton<FanOut>();
        services.AddSingleton<WorkerIdentity>();
        services.AddSingleton<Generations>();
        services.AddCollection();
        services.AddSingleton<Freshness>();
        services.AddSingleton<ReadCache>();
        services.AddSingleton<ResponseCache>();
        services.AddSingleton<HealthApi.HealthProbe>();
        services.AddHostedService<StartupRun>();
        services.AddOptions<AppOptions>().BindConfiguration("").ValidateOnStart();
        services.AddSingleton<IValidateOptions<AppOptions>, AppOptions.Validator>();
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => Json.Configure(o.SerializerOptions));

        // Dashboards on other origins may read; the setting is a comma-separated list of origins.
        var origins = builder.Configuration[CorsOriginsSetting]?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        services.AddCors(o => o.AddDefaultPolicy(p => p.WithOrigins(origins).WithMethods("GET").WithHeaders("If-None-Match").WithExposedHeaders("ETag")));
    }

    /// <summary>
    /// Sources, their store, and the resilient HTTP client that fetches them: Microsoft.Extensions.Http.Resilience's
    /// handler with one pipeline per source, inside it the per-attempt <see cref="SourceAttemptHandler"/>, and under
    /// it a connection step that refuses private destinations (<see cref="SourceDestinationGuard"/>).
    /// </summary>
    internal static void AddCollection(this IServiceCollection services)
    {
        services.AddOptions<CollectionOptions>().BindConfiguration(CollectionOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CollectionOptions>, CollectionOptions.Validator>();
        var sources = services.AddHttpClient(SourceFetcher.ClientName, client =>
            {
                // Each attempt has its own timeout in the pipeline, and the run its deadline: no second clock here.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("IndicatorFunctions/" + typeof(Extensions).Assembly.GetName().Version?.ToString(3));
            })
            // Redirects are followed by SourceFetcher, which keeps secret headers to the source's own origin. Every
            // connection, a redirect's too, goes through the guard; never through a proxy, whose own connection the
            // guard would check in place of the source's.
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                AutomaticDecompression = System.Net.DecompressionMethods.All,
                AllowAutoRedirect = false,
                UseProxy = false,
                ConnectCallback = provider.GetRequiredService<SourceDestinationGuard>().ConnectAsync,
            });
        sources
            .AddResilienceHandler(SourceResilience.PipelineName, (builder, context) => SourceResilience.Configure(builder,
                context.ServiceProvider.GetRequiredService<IOptions<CollectionOptions>>().Value,
                context.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System))
            .SelectPipelineBy(_ => SourceResilience.SelectPipeline);
        // Added after the resilience handler, so inside it: once per attempt.
        sources.AddHttpMessageHandler(() => new SourceAttemptHandler());
        services.AddSingleton<SourceStore>();
        services.AddSingleton<SourceFetcher>();
        services.AddSingleton<SourceDestinationGuard>();
        services.AddSingleton<Collector>();
    }
}

/// <summary>
/// The one way JSON is written and read, on the wire and in stored properties: web defaults (camelCase), enums by
/// camelCase name. Reading is strict where the web defaults are lenient: a number must be a JSON number (<c>"2"</c>
/// is not 2), and a property given twice is an error rather than "last one wins".
/// </summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.NumberHandling = JsonNumberHandling.Strict;
        options.AllowDuplicateProperties = false;
        return options;
    }
}
