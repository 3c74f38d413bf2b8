using System.Diagnostics;
using System.Text;

namespace IndicatorFunctions.Tests.Infrastructure;

/// <summary>
/// The built app as its own process in local mode (<c>--local --urls</c>) on a free loopback port, against the test
/// Azurite under a storage prefix of its own, with the nightly timer off; killed with its process tree on dispose.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    public const string AdminKey = "process-key";

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AppProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Starts the app and waits until it answers <c>/api/health</c> with 200.</summary>
    public static async Task<AppProcess> StartAsync(AzuriteFixture azurite)
    {
        var port = RepositoryPaths.FreePort();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "IndicatorFunctions.dll"), "--local", "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["AdminApiKey"] = AdminKey,
                ["StoragePrefix"] = "d" + Guid.NewGuid().ToString("N")[..8],
                ["ASPNETCORE_URLS"] = null,
                // No nightly run at an unlucky minute: the only runs are the ones a test starts.
                ["AzureWebJobs.NightlyAggregation.Disabled"] = "true",
            },
        };
        var app = new AppProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"));
        app._process.OutputDataReceived += (_, e) => { lock (app._output) app._output.AppendLine(e.Data); };
        app._process.ErrorDataReceived += (_, e) => { lock (app._output) app._output.AppendLine(e.Data); };
        app._process.BeginOutputReadLine();
        app._process.BeginErrorReadLine();
        try
        {
            await app.WaitForHealthAsync();
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress };

    private async Task WaitForHealthAsync()
    {
        using var http = CreateClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!_process.HasExited && !timeout.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync("/api/health", timeout.Token);
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                break;
            }
            await Task.Delay(200, CancellationToken.None);
        }
        throw new InvalidOperationException($"The app never answered /api/health with 200. Its output:\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
