using System.Diagnostics;
using System.Reflection;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using IndicatorFunctions.Data;
using Microsoft.Azure.Functions.Worker;

namespace IndicatorFunctions.Health;

public sealed record ServiceHealth(string Status, string Endpoint, long ElapsedMs, string? Error);

/// <summary><see cref="Created"/>: the app's tables and containers that were missing (new, or lost) and were created by this check.</summary>
public sealed record HealthReport(string Status, string Version, IReadOnlyDictionary<string, ServiceHealth> Storage, IReadOnlyList<string> Created);

/// <summary><c>GET /api/health</c>: is each storage service reachable with our credentials, and which build is this.</summary>
public sealed class HealthApi(HealthApi.HealthProbe probe)
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public static readonly string Version =
        typeof(HealthApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    [Function("Health")]
    public async Task<IResult> GetHealthAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request, CancellationToken cancellationToken)
    {
        var report = await probe.CheckAsync(cancellationToken);
        return report.Status == "healthy"
            ? TypedResults.Ok(report)
            : TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>Probes both services in parallel with fail-fast clients; logs one clear line per unreachable service.</summary>
    public sealed class HealthProbe(StorageAccount storage, IndicatorTables tables, ILogger<HealthProbe> logger)
    {
        private readonly (TableServiceClient Tables, BlobServiceClient Blobs) _clients = storage.CreateProbeClients(ProbeTimeout);

        public async Task<HealthReport> CheckAsync(CancellationToken cancellationToken)
        {
            var tableProbe = ProbeAsync("tables", storage.TableEndpoint, async ct =>
            {
                await foreach (var _ in _clients.Tables.QueryAsync(maxPerPage: 1, cancellationToken: ct).AsPages(pageSizeHint: 1))
                    break;
            }, cancellationToken);
            var blobs = ProbeAsync("blobs", storage.BlobEndpoint, ct => _clients.Blobs.GetPropertiesAsync(ct), cancellationToken);
            var results = await Task.WhenAll(tableProbe, blobs);
            var services = new Dictionary<string, ServiceHealth> { ["tables"] = results[0], ["blobs"] = results[1] };
            if (results.Any(r => r.Status != "reachable"))
                return new HealthReport("unhealthy", Version, services, []);
            var created = await tables.CreateMissingAsync(cancellationToken);
            if (created.Count > 0)
                logger.LogWarning("Storage was missing {Missing}: created them", string.Join(", ", created));
            return new HealthReport("healthy", Version, services, created);
        }

        private async Task<ServiceHealth> ProbeAsync(string service, Uri endpoint, Func<CancellationToken, Task> probe, CancellationToken cancellationToken)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                await probe(cancellationToken);
                return new ServiceHealth("reachable", endpoint.AbsoluteUri, watch.ElapsedMilliseconds, null);
            }
            catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                var error = ex is RequestFailedException { Status: > 0 } rfe ? $"{rfe.Status} {rfe.ErrorCode}: {FirstLine(rfe.Message)}" : FirstLine(ex.Message);
                logger.LogWarning("Storage {Service} at {Endpoint} is unreachable: {Error}", service, endpoint, error);
                return new ServiceHealth("unreachable", endpoint.AbsoluteUri, watch.ElapsedMilliseconds, error);
            }
        }

        private static string FirstLine(string s) => s.Split('\n', 2)[0].Trim();
    }
}
