using System.Diagnostics;
using System.Reflection;
using IndicatorFunctions.Tests.Infrastructure;

namespace IndicatorFunctions.Tests.Infra;

/// <summary>Command-line tools the infrastructure checks run: the Bicep CLI restored from NuGet, and shellcheck.</summary>
public static class Tools
{
    /// <summary>The <c>bicep</c> binary of Azure.Bicep.CommandLine.linux-x64, whose restored path the build records.</summary>
    public static string Bicep { get; } = typeof(Tools).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "BicepCli").Value!;

    public static string InfraDirectory { get; } = Path.Combine(RepositoryPaths.Root, "infra-bicep");

    public sealed record Result(int ExitCode, string Output, string Errors)
    {
        public string All => (Output + Errors).Trim();
    }

    /// <summary>Runs a tool to completion, collecting both streams (a hung tool is killed after two minutes).</summary>
    public static async Task<Result> RunAsync(string fileName, params string[] arguments)
    {
        if (fileName == Bicep && !File.Exists(Bicep))
            throw new FileNotFoundException($"The Bicep CLI is not at {Bicep}: restore the test project (package Azure.Bicep.CommandLine.linux-x64).");
        var start = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryPaths.Root,
        };
        start.Environment["BICEP_TRACING_ENABLED"] = "false";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var hung = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(hung.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(fileName)} {string.Join(' ', arguments)} did not finish in two minutes.");
        }
        return new Result(process.ExitCode, await output, await errors);
    }
}
