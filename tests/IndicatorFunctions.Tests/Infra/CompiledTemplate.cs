using System.Text.Json.Nodes;

namespace IndicatorFunctions.Tests.Infra;

/// <summary>
/// <c>infra-bicep/main.bicep</c> compiled once by the Bicep CLI into ARM JSON, and <c>main.bicepparam</c> into its
/// parameters, with the resources of every module (nested deployment) listed together.
/// </summary>
public sealed class CompiledTemplate : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bicep").FullName;

    public JsonObject Template { get; private set; } = null!;

    public JsonObject Parameters { get; private set; } = null!;

    /// <summary>Every resource, modules' included: (module symbolic name or "main", symbolic name, resource).</summary>
    public IReadOnlyList<(string Module, string Name, JsonObject Resource)> Resources { get; private set; } = [];

    public string Text { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var main = Path.Combine(Tools.InfraDirectory, "main.bicep");
        var build = await Tools.RunAsync(Tools.Bicep, "build", main, "--outdir", _dir);
        Assert.True(build.ExitCode == 0 && build.All.Length == 0, $"bicep build main.bicep: exit {build.ExitCode}\n{build.All}");
        Text = await File.ReadAllTextAsync(Path.Combine(_dir, "main.json"));
        Template = JsonNode.Parse(Text)!.AsObject();

        var parameters = await Tools.RunAsync(Tools.Bicep, "build-params", Path.Combine(Tools.InfraDirectory, "main.bicepparam"), "--outfile", Path.Combine(_dir, "main.parameters.json"));
        Assert.True(parameters.ExitCode == 0 && parameters.All.Length == 0, $"bicep build-params main.bicepparam: exit {parameters.ExitCode}\n{parameters.All}");
        Parameters = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_dir, "main.parameters.json")))!.AsObject();

        var resources = new List<(string, string, JsonObject)>();
        Collect("main", Template, resources);
        Resources = resources;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    public IEnumerable<(string Module, string Name, JsonObject Resource)> OfType(string type) =>
        Resources.Where(r => string.Equals((string?)r.Resource["type"], type, StringComparison.OrdinalIgnoreCase) && r.Resource["existing"] is null);

    public JsonObject Single(string type) => Assert.Single(OfType(type)).Resource;

    /// <summary>The template (main, or a module's) a resource was declared in.</summary>
    public JsonObject TemplateOf(string module) =>
        module == "main" ? Template : Template["resources"]![module]!["properties"]!["template"]!.AsObject();

    /// <summary>The Function App's app settings, name → value (an ARM expression or a literal).</summary>
    public IReadOnlyDictionary<string, string> AppSettings =>
        Single("Microsoft.Web/sites")["properties"]!["siteConfig"]!["appSettings"]!.AsArray()
            .ToDictionary(s => (string)s!["name"]!, s => s!["value"]!.ToString());

    private static void Collect(string module, JsonObject template, List<(string, string, JsonObject)> into)
    {
        // Symbolic-name templates (languageVersion 2.0) hold resources as an object; older ones as an array.
        var resources = template["resources"] switch
        {
            JsonObject named => named.Select(p => (p.Key, p.Value!.AsObject())),
            JsonArray list => list.Select((r, i) => ($"#{i}", r!.AsObject())),
            _ => [],
        };
        foreach (var (name, resource) in resources)
        {
            into.Add((module, name, resource));
            if ((string?)resource["type"] == "Microsoft.Resources/deployments" && resource["properties"]?["template"] is JsonObject nested)
                Collect(name, nested, into);
        }
    }
}
