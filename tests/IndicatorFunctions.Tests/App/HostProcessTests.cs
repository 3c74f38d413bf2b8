using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using IndicatorFunctions.Tests.Infrastructure;

namespace IndicatorFunctions.Tests.App;

/// <summary>The handler as the Functions host runs it: a separate process, told its port by FUNCTIONS_CUSTOMHANDLER_PORT.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class HostProcessTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Handler_process_listens_on_FUNCTIONS_CUSTOMHANDLER_PORT_and_answers_health_and_timer_invocations()
    {
        var port = RepositoryPaths.FreePort();
        var start = new ProcessStartInfo("dotnet", Path.Combine(AppContext.BaseDirectory, "IndicatorFunctions.dll"))
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(),
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
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
            var invocation = await http.PostAsync("/NightlyAggregation", new StringContent(
                """{"Data":{"timer":{"IsPastDue":false}},"Metadata":{}}""", Encoding.UTF8, "application/json"));
            using var reply = JsonDocument.Parse(await invocation.Content.ReadAsStringAsync());

            Assert.Equal(200, (int)health.StatusCode);
            Assert.Equal(200, (int)invocation.StatusCode);
            Assert.True(reply.RootElement.TryGetProperty("Outputs", out _));
            Assert.True(reply.RootElement.TryGetProperty("Logs", out _));
            Assert.Equal("succeeded", reply.RootElement.GetProperty("ReturnValue").GetProperty("status").GetString());
            lock (output) Assert.Contains($"http://127.0.0.1:{port}", output.ToString());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static async Task<HttpResponseMessage> WaitForHealthAsync(HttpClient http, Process process, StringBuilder output)
    {
        for (var attempt = 0; attempt < 150; attempt++)
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
        lock (output) throw new InvalidOperationException($"The handler never answered /api/health. Its output:\n{output}");
    }
}

/// <summary>The deployable zip: what scripts/publish.sh produces is what Azure Functions expects of a custom handler.</summary>
public sealed class PublishLayoutTests
{
    [Fact]
    public async Task Publish_script_produces_a_zip_with_host_json_function_folders_and_a_self_contained_linux_handler()
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
            var executable = hostJson.RootElement.GetProperty("customHandler").GetProperty("description").GetProperty("defaultExecutablePath").GetString()!;

            Assert.True(hostJson.RootElement.GetProperty("customHandler").GetProperty("enableProxyingHttpRequest").GetBoolean());
            Assert.Contains("Health/function.json", entries.Keys);
            Assert.Contains("NightlyAggregation/function.json", entries.Keys);
            Assert.Contains(executable, entries.Keys);
            Assert.Contains("libcoreclr.so", entries.Keys); // self-contained: the runtime travels with the app
            Assert.Contains("libhostfxr.so", entries.Keys);
            Assert.DoesNotContain(entries.Keys, name => name.EndsWith("local.settings.json", StringComparison.Ordinal));
            var unixMode = (entries[executable].ExternalAttributes >> 16) & 0x1FF;
            Assert.True((unixMode & 0x49) != 0, $"{executable} must be executable in the zip (mode {Convert.ToString(unixMode, 8)})");
            using var function = JsonDocument.Parse(entries["NightlyAggregation/function.json"].Open());
            Assert.Equal("%AggregationSchedule%", function.RootElement.GetProperty("bindings")[0].GetProperty("schedule").GetString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
