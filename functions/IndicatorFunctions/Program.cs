using IndicatorFunctions;
using IndicatorFunctions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;

// Local mode (`--local`): the same functions without the Functions host, which Core Tools would provide.
if (LocalMode.IsRequested(args))
{
    await LocalMode.CreateApp(args).RunAsync();
    return;
}

// Under the Functions host (`func start`, Azure): the isolated worker with ASP.NET Core integration.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<BadRequests.WorkerMiddleware>();
builder.UseMiddleware<StorageFailures.WorkerMiddleware>();
builder.AddIndicatorServices();

builder.Services.AddTelemetry(builder.Configuration);

await builder.Build().RunAsync();

public partial class Program;
