using IndicatorFunctions;
using IndicatorFunctions.Health;
using IndicatorFunctions.Hosting;
using IndicatorFunctions.NightlyAggregation;

var builder = WebApplication.CreateBuilder(args);

// Settings from local.settings.json and the environment; listen where the Functions host (or a developer) expects.
builder.AddFunctionAppConfiguration();
builder.AddIndicatorServices();

var app = builder.Build();

// HTTP functions arrive at their own /api/... paths (the host proxies them unchanged).
app.MapHealthApi();

// Timer functions arrive as POST /{FunctionName}; in standalone mode the in-process scheduler calls the same code.
app.MapTimerFunction(NightlyAggregationFunction.Name, NightlyAggregationFunction.TimerBinding, NightlyAggregationFunction.RunAsync);

app.Run();

public partial class Program;
