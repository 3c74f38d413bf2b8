using System.Collections.Concurrent;
using IndicatorFunctions.Data;
using IndicatorFunctions.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace IndicatorFunctions.Tests.Infrastructure;

/// <summary>
/// The function app in local mode, in memory (a test server), against the test Azurite: the same app
/// <c>--local</c> serves. Each factory gets its own <c>StoragePrefix</c>, so its tables and containers are its
/// own; the timer is disabled unless a test's settings turn it back on.
/// </summary>
public sealed class FunctionAppFactory(AzuriteFixture azurite, IReadOnlyDictionary<string, string?>? settings = null) : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key";

    private WebApplication? _app;

    public string Prefix { get; } = "t" + Guid.NewGuid().ToString("N")[..10];

    public ConcurrentQueue<string> LogLines { get; } = new();

    /// <summary>The app, built and started on first use.</summary>
    public WebApplication App => _app ??= Start();

    public IServiceProvider Services => App.Services;

    public StorageAccount Storage => Services.GetRequiredService<StorageAccount>();

    /// <summary>A client whose every response is checked against the app's OpenAPI document (<see cref="OpenApiContract"/>).</summary>
    public HttpClient CreateClient()
    {
        var server = App.GetTestServer();
        return new HttpClient(new OpenApiContract.CheckingHandler(server.CreateHandler())) { BaseAddress = new Uri("http://localhost") };
    }

    /// <summary>A client that sends the admin key, as an operator's tooling would.</summary>
    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("x-functions-key", AdminKey);
        return client;
    }

    private WebApplication Start()
    {
        var app = LocalMode.CreateApp([], builder =>
        {
            builder.WebHost.UseTestServer();
            var values = new Dictionary<string, string?>
            {
                [StorageAccount.Setting] = azurite.ConnectionString,
                [StorageAccount.PrefixSetting] = Prefix,
                ["AzureWebJobs.NightlyAggregation.Disabled"] = "true",
                [nameof(AppOptions.AdminApiKey)] = AdminKey,
            };
            foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
                values[name] = value;
            builder.Configuration.AddInMemoryCollection(values);
            builder.Logging.AddProvider(new CapturingLoggerProvider(LogLines));
        });
        app.StartAsync().GetAwaiter().GetResult();
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
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
