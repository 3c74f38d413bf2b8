using System.Net;
using Microsoft.AspNetCore.Hosting;
using System.Text.Json;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;

namespace IndicatorFunctions.Hosting;

/// <summary>
/// Local mode's settings and listen address, as Core Tools would give them: <c>local.settings.json</c> <c>Values</c>
/// (environment variables win), and <c>http://127.0.0.1:7071</c> unless <c>--urls</c> says otherwise.
/// </summary>
public static class LocalSettings
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    public static void AddLocalSettings(this WebApplicationBuilder builder)
    {
        if (FindLocalSettings(builder.Environment.ContentRootPath) is { } path)
            InsertBeforeEnvironment(builder.Configuration, ReadLocalSettings(path));
    }

    /// <summary>The listen address, refused when it reaches beyond this machine and no admin key is set.</summary>
    public static string ListenUrls(IConfiguration configuration)
    {
        var urls = configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } explicitUrls ? explicitUrls : DefaultUrl;
        RequireKeyBeyondLoopback(urls, configuration[nameof(AppOptions.AdminApiKey)]);
        return urls;
    }

    /// <summary>Writes need a key; without one the app must not be reachable from other machines.</summary>
    internal static void RequireKeyBeyondLoopback(string urls, string? adminApiKey)
    {
        if (!string.IsNullOrEmpty(adminApiKey))
            return;
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var host = new Uri(url.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0")).Host;
            var loopback = host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
            if (!loopback)
                throw new InvalidOperationException($"Listening on {url} reaches beyond this machine: set the {nameof(AppOptions.AdminApiKey)} setting first, or listen on 127.0.0.1.");
        }
    }

    /// <summary>
    /// Beside host.json (the Functions convention), else the repository root two levels up, where the sample
    /// lives; the working directory last. Published apps have none: Azure gives app settings as environment.
    /// </summary>
    private static string? FindLocalSettings(string contentRoot) =>
        new[] { contentRoot, Path.Combine(contentRoot, "..", ".."), Directory.GetCurrentDirectory() }
            .Select(dir => Path.GetFullPath(Path.Combine(dir, "local.settings.json")))
            .FirstOrDefault(File.Exists);

    internal static Dictionary<string, string?> ReadLocalSettings(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (json.RootElement.TryGetProperty("Values", out var section))
        {
            foreach (var setting in section.EnumerateObject())
            {
                // "A__b" means section A, key b — as for environment variables.
                values[setting.Name.Replace("__", ":")] = setting.Value.ValueKind == JsonValueKind.String
                    ? setting.Value.GetString()
                    : setting.Value.GetRawText();
            }
        }
        return values;
    }

    private static void InsertBeforeEnvironment(IConfigurationBuilder configuration, Dictionary<string, string?> values)
    {
        var source = new MemoryConfigurationSource { InitialData = values };
        var sources = configuration.Sources;
        var env = sources.Select((s, i) => (s, i)).FirstOrDefault(x => x.s is EnvironmentVariablesConfigurationSource { Prefix: null or "" });
        if (env.s is null)
            sources.Add(source);
        else
            sources.Insert(env.i, source);
    }
}
