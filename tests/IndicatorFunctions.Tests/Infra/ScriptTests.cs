using IndicatorFunctions.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace IndicatorFunctions.Tests.Infra;

/// <summary>
/// The deploy script and the users' CI workflow, which cannot reach Azure here: shellcheck over every script, the
/// workflow validated against GitHub's schema, and <c>scripts/deploy.sh</c> run against a stand-in <c>az</c> that
/// records what it was asked.
/// </summary>
public sealed class ScriptTests : IDisposable
{
    private static readonly string Workflow = Path.Combine(RepositoryPaths.Root, ".github", "workflows", "build-deploy.yml");
    private readonly string _dir = Directory.CreateTempSubdirectory("deploy").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Shellcheck_finds_nothing_in_any_script()
    {
        var scripts = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "scripts"), "*.sh").Append(Path.Combine(RepositoryPaths.Root, ".ci", "run")).ToArray();

        var check = await Tools.RunAsync("shellcheck", ["-x", "-P", "SCRIPTDIR", .. scripts]);

        Assert.Contains(scripts, s => s.EndsWith("deploy.sh", StringComparison.Ordinal));
        Assert.True(check.ExitCode == 0 && check.All.Length == 0, $"shellcheck: exit {check.ExitCode}\n{check.All}");
    }

    [Fact]
    public async Task The_workflow_is_valid_against_the_GitHub_Actions_schema()
    {
        var validator = Path.Combine(RepositoryPaths.Root, "node_modules", ".bin", "action-validator");

        var check = await Tools.RunAsync(validator, Workflow);

        Assert.True(check.ExitCode == 0, $"action-validator: exit {check.ExitCode}\n{check.All}");
    }

    [Fact]
    public void The_workflow_tests_every_change_and_deploys_main_with_OpenID_Connect_only()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Workflow)));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var jobs = (YamlMappingNode)root["jobs"];
        var build = (YamlMappingNode)jobs["build-test"];
        var deploy = (YamlMappingNode)jobs["deploy"];
        string Runs(YamlMappingNode job) => string.Join("\n", ((YamlSequenceNode)job["steps"]).Cast<YamlMappingNode>()
            .Where(s => s.Children.ContainsKey("run")).Select(s => s["run"].ToString()));
        var login = ((YamlSequenceNode)deploy["steps"]).Cast<YamlMappingNode>()
            .Single(s => s.Children.ContainsKey("uses") && s["uses"].ToString().StartsWith("azure/login@", StringComparison.Ordinal));
        var loginInputs = ((YamlMappingNode)login["with"]).Children.Keys.Select(k => k.ToString()).Order();

        Assert.Contains("bash scripts/test.sh", Runs(build));
        Assert.Contains("infra-bicep/main.bicep", Runs(build));
        Assert.Equal("build-test", deploy["needs"].ToString());
        Assert.Equal("github.event_name == 'push' && github.ref == 'refs/heads/main'", deploy["if"].ToString());
        Assert.Equal("write", ((YamlMappingNode)deploy["permissions"])["id-token"].ToString());
        Assert.Equal("read", ((YamlMappingNode)root["permissions"])["contents"].ToString()); // no token write elsewhere
        Assert.Equal(["client-id", "subscription-id", "tenant-id"], loginInputs); // no client secret, no creds JSON
        Assert.DoesNotContain("secrets.", File.ReadAllText(Workflow));
        Assert.StartsWith("bash scripts/deploy.sh", Runs(deploy));
    }

    [Fact]
    public async Task Deploy_creates_the_group_previews_deploys_then_publishes_and_prints_the_URL_and_key_command()
    {
        var (result, calls) = await DeployAsync(failOn: null, "name=dash", "maximumInstanceCount=10");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Collection(calls,
            c => Assert.StartsWith("group create --name rg-test --location westeurope", c),
            c => Assert.StartsWith("deployment group what-if --resource-group rg-test --name indicators-", c),
            c => Assert.StartsWith("deployment group create --resource-group rg-test --name indicators-", c),
            c => Assert.Contains("--query properties.outputs.functionAppName.value", c),
            c => Assert.Contains("--query properties.outputs.defaultHostName.value", c),
            c => Assert.Equal($"functionapp deployment source config-zip --resource-group rg-test --name func-test --src {_dir}/app.zip --output none", c));
        var parameters = $"--parameters {RepositoryPaths.Root}/infra-bicep/main.bicepparam --parameters name=dash --parameters maximumInstanceCount=10";
        Assert.Contains(parameters, calls[1]);
        Assert.Contains(parameters, calls[2]);
        Assert.Equal(calls[1].Split(' ')[5], calls[2].Split(' ')[5]); // one deployment name, which `show` reads back
        Assert.Contains("https://func-test.azurewebsites.net/api/health", result.Output);
        Assert.Contains("az functionapp keys list --resource-group rg-test --name func-test --query functionKeys.default --output tsv", result.Output);
    }

    [Theory]
    [InlineData("what-if", 2)]
    [InlineData("create --resource-group", 3)]
    public async Task Deploy_stops_at_the_first_failing_step(string failing, int callsMade)
    {
        var (result, calls) = await DeployAsync(failOn: failing);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal(callsMade, calls.Count);
        Assert.DoesNotContain(calls, c => c.Contains("config-zip"));
    }

    [Fact]
    public async Task Deploy_without_a_resource_group_and_location_prints_its_usage()
    {
        var result = await Tools.RunAsync("bash", Path.Combine(RepositoryPaths.Root, "scripts", "deploy.sh"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("usage: scripts/deploy.sh RESOURCE_GROUP LOCATION", result.Errors);
    }

    /// <summary>Runs deploy.sh with a stand-in <c>az</c> on the PATH (recording each call, failing the one asked) and a package built before.</summary>
    private async Task<(Tools.Result Result, List<string> Calls)> DeployAsync(string? failOn, params string[] overrides)
    {
        var bin = Directory.CreateDirectory(Path.Combine(_dir, "bin")).FullName;
        var log = Path.Combine(_dir, "az.log");
        await File.WriteAllTextAsync(Path.Combine(_dir, "app.zip"), "package");
        await File.WriteAllTextAsync(Path.Combine(bin, "az"), $$"""
            #!/usr/bin/env bash
            echo "$*" >> '{{log}}'
            case "$*" in
              {{(failOn is null ? "" : $"*'{failOn}'*) echo \"az: failed\" >&2; exit 1 ;;")}}
              *outputs.functionAppName.value*) echo func-test ;;
              *outputs.defaultHostName.value*) echo func-test.azurewebsites.net ;;
            esac
            """);
        if (!OperatingSystem.IsWindows()) // bash scripts: Linux and macOS
            File.SetUnixFileMode(Path.Combine(bin, "az"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var script = Path.Combine(RepositoryPaths.Root, "scripts", "deploy.sh");
        var result = await Tools.RunAsync("env", [$"PATH={bin}:{Environment.GetEnvironmentVariable("PATH")}", $"DEPLOY_ZIP={_dir}/app.zip",
            "bash", script, "rg-test", "westeurope", .. overrides]);
        var calls = File.Exists(log) ? (await File.ReadAllLinesAsync(log)).ToList() : [];
        return (result, calls);
    }
}
