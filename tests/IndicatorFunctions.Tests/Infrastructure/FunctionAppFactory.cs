using System.Collections.Concurrent;
using IndicatorFunctions.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace IndicatorFunctions.Tests.Infrastructure;

/// <summary>
/// The function app in memory against the test Azurite. Each factory gets its own <c>StoragePrefix</c>, so its
/// tables and containers are its own; the timer is disabled unless a test's settings turn it back on.
/// </summary>
public sealed class FunctionAppFactory(AzuriteFixture azurite, IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key";

    public string Prefix { get; } = "t" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>A client that sends the admin key, as an operator's tooling would.</summary>
    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("x-functions-key", AdminKey);
        return client;
    }

    public ConcurrentQueue<string> LogLines { get; } = new();

    public StorageAccount Storage => Services.GetRequiredService<StorageAccount>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting(StorageAccount.Setting, azurite.ConnectionString);
        builder.UseSetting(StorageAccount.PrefixSetting, Prefix);
        builder.UseSetting("AzureWebJobs.NightlyAggregation.Disabled", "true");
        builder.UseSetting("AdminApiKey", AdminKey);
        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
            builder.UseSetting(name, value);
        builder.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(LogLines)));
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, lines);

        public void Dispose() { }
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}");
    }
}
