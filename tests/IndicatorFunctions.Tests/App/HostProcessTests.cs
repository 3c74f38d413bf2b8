using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using IndicatorFunctions.Tests.Infrastructure;

namespace IndicatorFunctions.Tests.App;

/// <summary>The README's local-mode command: the app as its own process, <c>--local --urls</c>, settings from the environment.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class HostProcessTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Local_mode_process_listens_on_urls_serves_the_api_and_runs_the_timer_through_the_admin_endpoint()
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
                ["AdminApiKey"] = "process-key",
                ["StoragePrefix"] = "p" + Guid.NewGuid().ToString("N")[..8],
                ["ASPNETCORE_URLS"] = null,
            },
        };
        var output = new StringBuilder();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var health = await WaitForHealthAsync(http, process, output);
            var refused = await http.PostAsync("/admin/functions/NightlyAggregation", new StringContent("{}", Encoding.UTF8, "application/json"));
            http.DefaultRequestHeaders.Add("x-functions-key", "process-key");
            var invoked = await http.PostAsync("/admin/functions/NightlyAggregation", new StringContent("{}", Encoding.UTF8, "application/json"));
            var run = await WaitForRunAsync(http);

            Assert.Equal(200, (int)health.StatusCode);
            Assert.Equal(401, (int)refused.StatusCode);
            Assert.Equal(202, (int)invoked.StatusCode);
            Assert.Equal(("timer", "succeeded"), (run.GetProperty("trigger").GetString(), run.GetProperty("status").GetString()));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static async Task<JsonElement> WaitForRunAsync(HttpClient http)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            using var runs = JsonDocument.Parse(await http.GetStringAsync("/api/runs", timeout.Token));
            var list = runs.RootElement.GetProperty("runs");
            if (list.GetArrayLength() > 0 && list[0].GetProperty("status").GetString() != "running")
                return list[0].Clone();
            await Task.Delay(200, timeout.Token);
        }
    }

    private static async Task<HttpResponseMessage> WaitForHealthAsync(HttpClient http, Process process, StringBuilder output)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (process.HasExited)
                break;
            try
            {
                return await http.GetAsync("/api/health");
            }
            catch (HttpRequestException)
            {
                await Task.Delay(200);
            }
        }
        lock (output) throw new InvalidOperationException($"The app never answered /api/health. Its output:\n{output}");
    }
}

/// <summary>The deployable zip: what scripts/publish.sh produces is the isolated-worker layout Azure Functions expects.</summary>
public sealed class PublishLayoutTests
{
    [Fact]
    public async Task Publish_script_produces_a_zip_in_the_isolated_worker_layout()
    {
        var dir = Directory.CreateTempSubdirectory("publish").FullName;
        try
        {
            var zipPath = Path.Combine(dir, "functionapp.zip");
            var start = new ProcessStartInfo("bash", [Path.Combine(RepositoryPaths.Root, "scripts", "publish.sh"), zipPath])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"publish.sh failed:\n{await stdout}\n{await stderr}");

            using var zip = ZipFile.OpenRead(zipPath);
            var entries = zip.Entries.ToDictionary(e => e.FullName);
            using var hostJson = JsonDocument.Parse(entries["host.json"].Open());
            using var workerConfig = JsonDocument.Parse(entries["worker.config.json"].Open());
            using var metadata = JsonDocument.Parse(entries["functions.metadata"].Open());
            var description = workerConfig.RootElement.GetProperty("description");

            Assert.False(hostJson.RootElement.TryGetProperty("customHandler", out _));
            Assert.Equal("api", hostJson.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
            Assert.Equal("dotnet-isolated", description.GetProperty("language").GetString());
            Assert.Contains(description.GetProperty("defaultWorkerPath").GetString()!, entries.Keys);
            Assert.Contains("extensions.json", entries.Keys);
            Assert.Contains("IndicatorFunctions.dll", entries.Keys);
            Assert.DoesNotContain(entries.Keys, name => name.EndsWith("function.json", StringComparison.Ordinal) || name.EndsWith("local.settings.json", StringComparison.Ordinal));
            var nightly = metadata.RootElement.EnumerateArray().Single(f => f.GetProperty("name").GetString() == "NightlyAggregation");
            Assert.Equal("%AggregationSchedule%", nightly.GetProperty("bindings")[0].GetProperty("schedule").GetString());
            Assert.True(metadata.RootElement.GetArrayLength() >= 20, $"functions.metadata lists {metadata.RootElement.GetArrayLength()} functions");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
