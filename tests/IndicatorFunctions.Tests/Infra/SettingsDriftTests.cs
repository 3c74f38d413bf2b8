using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IndicatorFunctions.Collection;
using IndicatorFunctions.Data;
using IndicatorFunctions.Hosting;
using IndicatorFunctions.Tests.Infrastructure;

namespace IndicatorFunctions.Tests.Infra;

/// <summary>
/// One set of settings in four places: what the app reads (its options classes and the few names it reads
/// directly), the app settings the templates deploy, <c>local.settings.sample.json</c>, and the README's settings
/// table with its defaults. A setting added, renamed or re-defaulted in one place and not the others fails here.
/// </summary>
public sealed partial class SettingsDriftTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>
{
    private const string Storage = StorageAccount.Setting;

    /// <summary>Settings the Functions host reads (the worker may too): allowed in the templates and the sample.</summary>
    private static readonly string[] HostSettings =
    [
        "FUNCTIONS_WORKER_RUNTIME", Storage, $"{Storage}__accountName", $"{Storage}__credential", $"{Storage}__clientId",
        Telemetry.ConnectionStringSetting, Telemetry.AuthenticationSetting,
    ];

    /// <summary>
    /// Settings the templates leave out on purpose: <c>AdminApiKey</c> is a secret, local mode's stand-in for the
    /// host's function keys (under the host only the run ledger's details read it; the README says how to set it).
    /// </summary>
    private static readonly string[] LocalOnly = [nameof(AppOptions.AdminApiKey)];

    /// <summary>The keys of the identity-based form of <c>AzureWebJobsStorage</c> that <see cref="StorageAccount"/> reads.</summary>
    private static readonly string[] StorageIdentityKeys = ["accountName", "tableServiceUri", "blobServiceUri", "queueServiceUri", "credential", "clientId"];

    /// <summary>Every setting the app reads: its options classes' bindable properties, and the names it reads itself.</summary>
    private static IReadOnlyList<string> AppReads { get; } =
    [
        .. Bindable(typeof(AppOptions)).Select(p => p.Name),
        .. Bindable(typeof(CollectionOptions)).Select(p => $"{CollectionOptions.Section}__{p.Name}"),
        Storage, .. StorageIdentityKeys.Select(k => $"{Storage}__{k}"), StorageAccount.PrefixSetting,
        Extensions.CorsOriginsSetting, Telemetry.ConnectionStringSetting, Telemetry.AuthenticationSetting,
    ];

    private IReadOnlyCollection<string> TemplateSettings => compiled.AppSettings.Keys.ToList();

    [Fact]
    public void Every_setting_the_app_reads_is_set_by_the_templates_or_has_a_default_in_the_README()
    {
        var readme = ReadmeSettings();
        var unset = AppReads
            .Where(s => !TemplateSettings.Contains(s) && !TemplateSettings.Contains($"{s}__accountName")) // the identity form of a connection
            .Where(s => !readme.TryGetValue(s, out var d) || d.Default is null || d.Default.StartsWith('—') || d.Default.StartsWith("required", StringComparison.Ordinal))
            .ToList();

        Assert.True(unset.Count == 0, $"Neither deployed nor given a default in the README's settings table: {string.Join(", ", unset)}");
    }

    [Fact]
    public void Every_app_setting_in_the_templates_is_read_by_the_app_or_the_host()
    {
        var unread = TemplateSettings.Where(s => !AppReads.Contains(s) && !HostSettings.Contains(s)).ToList();

        Assert.True(unread.Count == 0, $"The templates set settings nothing reads: {string.Join(", ", unread)}");
    }

    [Fact]
    public void The_sample_names_the_settings_the_templates_deploy()
    {
        var sample = SampleSettings();
        // Locally, storage is a connection string (Azurite), and the worker runtime an app setting; on Flex
        // Consumption, storage is the identity form and the runtime part of functionAppConfig.
        var runtime = (string)compiled.Single("Microsoft.Web/sites")["properties"]!["functionAppConfig"]!["runtime"]!["name"]!;
        var deployed = TemplateSettings.Select(s => s.StartsWith($"{Storage}__", StringComparison.Ordinal) ? Storage : s)
            .Append("FUNCTIONS_WORKER_RUNTIME").ToHashSet();

        Assert.Equal(deployed.Order(), sample.Keys.Except(LocalOnly).Order());
        Assert.Equal(runtime, sample["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.All(sample.Keys, s => Assert.True(AppReads.Contains(s) || HostSettings.Contains(s), $"the sample sets {s}, which nothing reads"));
    }

    [Fact]
    public void The_README_documents_every_setting_read_deployed_or_in_the_sample()
    {
        var readme = ReadmeSettings();
        var undocumented = AppReads.Concat(TemplateSettings).Concat(SampleSettings().Keys).Distinct().Where(s => !readme.ContainsKey(s)).ToList();

        Assert.True(undocumented.Count == 0, $"Missing from the README's settings table: {string.Join(", ", undocumented)}");
    }

    [Fact]
    public void The_README_defaults_are_the_options_classes_defaults()
    {
        var readme = ReadmeSettings();
        var wrong = Defaults()
            .Where(d => readme.ContainsKey(d.Setting))
            .Where(d => d.Value is null
                ? readme[d.Setting].Default?.StartsWith("none", StringComparison.Ordinal) != true
                : readme[d.Setting].Code != d.Value)
            .Select(d => $"{d.Setting}: code {d.Value ?? "none"}, README {readme[d.Setting].Default}")
            .ToList();

        Assert.NotEmpty(Defaults());
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void The_templates_parameter_defaults_are_the_options_classes_defaults()
    {
        var parameters = compiled.Template["parameters"]!.AsObject();
        var compared = 0;
        foreach (var (setting, value) in Defaults())
        {
            if (!compiled.AppSettings.TryGetValue(setting, out var expression) || ParameterReference().Match(expression) is not { Success: true } reference)
                continue;
            var parameterDefault = parameters[reference.Groups[1].Value]!["defaultValue"];
            Assert.True(value == Format(parameterDefault), $"{setting}: code default {value}, template parameter {reference.Groups[1].Value} default {parameterDefault?.ToJsonString()}");
            compared++;
        }

        Assert.True(compared >= 5, $"only {compared} settings were compared");
    }

    /// <summary>
    /// Every place the app reads configuration uses a name this test knows, so a new setting cannot bypass the
    /// checks above. A failure here means: add the setting to <see cref="AppReads"/> (or an options class), the
    /// templates or the README's defaults, and the sample.
    /// </summary>
    [Fact]
    public void The_app_reads_configuration_only_through_names_this_test_knows()
    {
        // Each expression the source indexes configuration with, and the settings it stands for.
        var known = new Dictionary<string, string>
        {
            ["Setting"] = "AzureWebJobsStorage, RunOnStartup (StartupRun) or Collection__AllowedPrivateHosts",
            ["PrefixSetting"] = StorageAccount.PrefixSetting,
            ["CorsOriginsSetting"] = Extensions.CorsOriginsSetting,
            ["ConnectionStringSetting"] = Telemetry.ConnectionStringSetting,
            ["AuthenticationSetting"] = Telemetry.AuthenticationSetting,
            ["nameof(AppOptions.MaxIngestBytes)"] = nameof(AppOptions.MaxIngestBytes),
            ["nameof(AppOptions.AdminApiKey)"] = nameof(AppOptions.AdminApiKey),
            ["\"\""] = "AppOptions (bound at the root)",
            ["CollectionOptions.Section"] = "CollectionOptions",
            ["WebHostDefaults.ServerUrlsKey"] = "urls: the --urls argument of local mode",
            ["name"] = "a trigger's %Setting%: a timer's schedule (AggregationSchedule), a queue's name (StoragePrefix)",
            ["s"] = "IDENTITY_ENDPOINT, MSI_ENDPOINT: set by the platform, read to refuse them as source destinations",
            ["$\"AzureWebJobs.{functionName}.Disabled\""] = "AzureWebJobs.{Function}.Disabled: the host's convention",
            ["$\"AzureWebJobs:{functionName}:Disabled\""] = "the same, as a section",
            ["$\"{SourceRules.SecretsSection}:{name}\""] = "SourceSecrets__{Name}",
        };
        foreach (var key in StorageIdentityKeys)
            known[$"\"{key}\""] = $"{Storage}__{key}";
        var sources = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "functions"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));
        var reads = sources.SelectMany(f => ConfigurationRead().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), Expression: m.Groups["key"].Value.Trim()))).ToList();
        var unknown = reads.Where(r => !known.ContainsKey(r.Expression)).Select(r => $"{r.File}: {r.Expression}").ToList();

        Assert.True(reads.Count >= 10, $"the scan found only {reads.Count} reads: has the code changed how it reads configuration?");
        Assert.True(unknown.Count == 0, $"Configuration read through names the drift tests do not know:\n{string.Join("\n", unknown)}");
        Assert.Contains(reads, r => r.Expression == "CorsOriginsSetting");
    }

    [Fact]
    public void The_README_table_parser_reads_shared_rows_and_defaults()
    {
        var readme = ReadmeSettings();

        Assert.Equal("0.5", readme["Collection__BreakerFailureRatio"].Code);
        Assert.Equal("00:01:00", readme["Collection__BreakDuration"].Code);
        Assert.Equal("10485760", readme[nameof(AppOptions.MaxIngestBytes)].Code);
        Assert.True(readme.ContainsKey($"{Storage}__blobServiceUri"));
    }

    private static IEnumerable<PropertyInfo> Bindable(Type options) =>
        options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.SetMethod!.IsPublic);

    /// <summary>Each options property's default, written as settings are: invariant numbers, lower-case booleans, <c>hh:mm:ss</c>.</summary>
    private static List<(string Setting, string? Value)> Defaults() =>
    [
        .. Bindable(typeof(AppOptions)).Select(p => (p.Name, Format(p.GetValue(new AppOptions())))),
        .. Bindable(typeof(CollectionOptions)).Select(p => ($"{CollectionOptions.Section}__{p.Name}", Format(p.GetValue(new CollectionOptions())))),
    ];

    private static string? Format(object? value) => value switch
    {
        null => null,
        bool b => b ? "true" : "false",
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        JsonValue j when j.TryGetValue<bool>(out var b) => Format(b),
        JsonValue j when j.TryGetValue<string>(out var s) => s,
        JsonValue j => j.ToJsonString(),
        _ => value.ToString(),
    };

    private static Dictionary<string, string> SampleSettings() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "local.settings.sample.json")))!["Values"]!.AsObject()
            .ToDictionary(p => p.Key, p => (string)p.Value!);

    /// <summary>A README settings row: the default column, and its first <c>code</c> span (the value itself).</summary>
    private sealed record ReadmeDefault(string? Default, string? Code);

    /// <summary>
    /// The README's settings table: <c>| `Name`[, `__Other`] | meaning | default[, default] |</c>. A row naming several
    /// settings gives each its own default when it lists as many; <c>`__Other`</c> shares the first name's prefix.
    /// </summary>
    private static Dictionary<string, ReadmeDefault> ReadmeSettings()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        var section = readme[readme.IndexOf("\n## Settings\n", StringComparison.Ordinal)..];
        section = section[..(section.IndexOf("\n## ", 1, StringComparison.Ordinal) is var end and > 0 ? end : section.Length)];
        var settings = new Dictionary<string, ReadmeDefault>();
        foreach (var line in section.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var cells = line.Trim().Trim('|').Split(" | ");
            var names = CodeSpan().Matches(cells[0]).Select(m => m.Groups[1].Value).ToList();
            var prefix = names[0].Contains("__") ? names[0][..names[0].IndexOf("__", StringComparison.Ordinal)] : "";
            names = [.. names.Select(n => n.StartsWith("__", StringComparison.Ordinal) ? prefix + n : n)];
            var defaultCell = cells[^1].Trim();
            var codes = CodeSpan().Matches(defaultCell).Select(m => m.Groups[1].Value).ToList();
            for (var i = 0; i < names.Count; i++)
                settings[names[i]] = new ReadmeDefault(defaultCell, codes.Count == names.Count ? codes[i] : codes.FirstOrDefault());
        }
        return settings;
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"parameters\('(\w+)'\)")]
    private static partial Regex ParameterReference();

    [GeneratedRegex(@"(?:[Cc]onfiguration|section)\[(?<key>[^\]]+)\]|(?:GetSection|BindConfiguration)\((?<key>[^)]*)\)")]
    private static partial Regex ConfigurationRead();
}
