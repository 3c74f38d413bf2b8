using IndicatorFunctions;
using IndicatorFunctions.Api;
using IndicatorFunctions.Catalog;
using IndicatorFunctions.Collection;
using IndicatorFunctions.Health;
using IndicatorFunctions.Hosting;
using IndicatorFunctions.Ingestion;
using IndicatorFunctions.NightlyAggregation;
using IndicatorFunctions.Runs;

var builder = WebApplication.CreateBuilder(args);

// Settings from local.settings.json and the environment; listen where the Functions host (or a developer) expects.
builder.AddFunctionAppConfiguration();
builder.AddIndicatorServices();

var app = builder.Build();

// Errors as RFC 9457 problem details; CORS for dashboards on other origins.
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCors();

// HTTP functions arrive at their own /api/... paths (the host proxies them unchanged).
app.MapHealthApi();
app.MapCatalogApi();
app.MapIngestionApi();
app.MapRunsApi();
app.MapSourcesApi();
app.MapReadApi();

// Timer functions arrive as POST /{FunctionName}; in standalone mode the in-process scheduler calls the same code.
app.MapTimerFunction(NightlyAggregationFunction.Name, NightlyAggregationFunction.TimerBinding, NightlyAggregationFunction.RunAsync);

app.Run();

public partial class Program;
