using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using IndicatorFunctions.Tests.Infrastructure;

namespace IndicatorFunctions.Tests.Infra;

/// <summary>
/// The deployment templates, compiled and linted by the Bicep CLI, and the security properties the README promises,
/// asserted on the ARM JSON Azure would receive.
/// </summary>
public sealed class TemplateTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>
{
    private const string BlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string TableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string QueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    [Theory]
    [InlineData("main.bicep")]
    [InlineData("main.bicepparam")]
    public async Task Lint_with_every_rule_raised_to_an_error_reports_nothing(string file)
    {
        var lint = await Tools.RunAsync(Tools.Bicep, "lint", Path.Combine(Tools.InfraDirectory, file));

        Assert.True(lint.ExitCode == 0 && lint.All.Length == 0, $"bicep lint {file}: exit {lint.ExitCode}\n{lint.All}");
    }

    [Fact]
    public void Bicepconfig_raises_every_linter_rule_to_an_error()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Tools.InfraDirectory, "bicepconfig.json")),
            documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!;
        var rules = config["analyzers"]!["core"]!["rules"]!.AsObject();

        Assert.True((bool)config["analyzers"]!["core"]!["enabled"]!);
        Assert.True(rules.Count >= 50, $"only {rules.Count} rules configured");
        Assert.All(rules, r => Assert.Equal("error", (string?)r.Value!["level"]));
    }

    [Fact]
    public void Storage_account_takes_Entra_ID_only_TLS_1_2_HTTPS_and_no_public_blobs()
    {
        var account = compiled.Single("Microsoft.Storage/storageAccounts")["properties"]!;

        Assert.False((bool)account["allowSharedKeyAccess"]!);
        Assert.True((bool)account["defaultToOAuthAuthentication"]!);
        Assert.Equal("TLS1_2", (string?)account["minimumTlsVersion"]);
        Assert.True((bool)account["supportsHttpsTrafficOnly"]!);
        Assert.False((bool)account["allowBlobPublicAccess"]!);
        Assert.All(compiled.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"),
            c => Assert.Equal("None", (string?)c.Resource["properties"]!["publicAccess"]));
    }

    [Fact]
    public void Function_app_is_HTTPS_only_with_TLS_1_2_and_no_FTP_or_basic_auth_publishing()
    {
        var site = compiled.Single("Microsoft.Web/sites")["properties"]!;
        var policies = compiled.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();

        Assert.True((bool)site["httpsOnly"]!);
        Assert.Equal("1.2", (string?)site["siteConfig"]!["minTlsVersion"]);
        Assert.Equal("Disabled", (string?)site["siteConfig"]!["ftpsState"]);
        Assert.Equal(["ftp", "scm"], policies.Select(p => Regex.Match((string)p.Resource["name"]!, @"'(\w+)'\)\]$").Groups[1].Value).Order());
        Assert.All(policies, p => Assert.False((bool)p.Resource["properties"]!["allow"]!));
    }

    [Fact]
    public void Function_app_runs_dotnet_isolated_at_the_projects_target_framework_on_Flex_Consumption()
    {
        var framework = XDocument.Load(Path.Combine(RepositoryPaths.Root, "Directory.Build.props")).Descendants("TargetFramework").Single().Value;
        var site = compiled.Single("Microsoft.Web/sites");
        var plan = compiled.Single("Microsoft.Web/serverfarms");
        var runtime = site["properties"]!["functionAppConfig"]!["runtime"]!;

        Assert.Matches(@"^net\d+\.\d+$", framework);
        Assert.Equal(framework["net".Length..], (string?)runtime["version"]);
        Assert.Equal("dotnet-isolated", (string?)runtime["name"]);
        Assert.Equal("functionapp,linux", (string?)site["kind"]);
        Assert.Equal("FlexConsumption", (string?)plan["sku"]!["tier"]);
        Assert.Equal("FC1", (string?)plan["sku"]!["name"]);
        Assert.True((bool)plan["properties"]!["reserved"]!); // Linux
    }

    [Fact]
    public void Scale_limits_are_parameters()
    {
        var scale = compiled.Single("Microsoft.Web/sites")["properties"]!["functionAppConfig"]!["scaleAndConcurrency"]!;

        Assert.Equal("[parameters('maximumInstanceCount')]", (string?)scale["maximumInstanceCount"]);
        Assert.Equal("[parameters('instanceMemoryMB')]", (string?)scale["instanceMemoryMB"]);
        Assert.Equal("array", (string?)compiled.Template["parameters"]!["corsOrigins"]!["type"]);
        Assert.Contains("parameters('corsOrigins')", compiled.AppSettings["CorsOrigins"]);
    }

    [Fact]
    public void One_user_assigned_identity_serves_storage_the_deployment_package_and_telemetry()
    {
        var site = compiled.Single("Microsoft.Web/sites");
        var identityType = "Microsoft.ManagedIdentity/userAssignedIdentities";
        var (_, identityName, _) = Assert.Single(compiled.OfType(identityType));
        var identityId = $"resourceId('{identityType}', ";
        var settings = compiled.AppSettings;
        var deployment = site["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!;

        Assert.Equal("UserAssigned", (string?)site["identity"]!["type"]);
        Assert.Contains(identityId, Assert.Single(site["identity"]!["userAssignedIdentities"]!.AsObject()).Key);
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal($"[reference('{identityName}').clientId]", settings["AzureWebJobsStorage__clientId"]);
        Assert.Contains("outputs.name.value", settings["AzureWebJobsStorage__accountName"]);
        Assert.False(settings.ContainsKey("AzureWebJobsStorage"), "AzureWebJobsStorage would be a connection string (a key)");
        Assert.Equal("UserAssignedIdentity", (string?)deployment["authentication"]!["type"]);
        Assert.Contains(identityId, (string?)deployment["authentication"]!["userAssignedIdentityResourceId"]);
        Assert.Equal($"[format('ClientId={{0}};Authorization=AAD', reference('{identityName}').clientId)]", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
    }

    [Fact]
    public void No_app_setting_holds_a_key_and_nothing_in_the_template_lists_keys()
    {
        var secretLike = new Regex(@"AccountKey=|SharedAccessSignature|SharedAccessKey|[?&]sig=|Password=|DefaultEndpointsProtocol", RegexOptions.IgnoreCase);
        var secureParameters = compiled.Template["parameters"]!.AsObject()
            .Where(p => ((string?)p.Value!["type"])?.StartsWith("secure", StringComparison.OrdinalIgnoreCase) == true)
            .Select(p => p.Key).ToList();

        Assert.DoesNotMatch(@"\blist[A-Za-z]*\(", compiled.Text); // listKeys(), listSecrets(), listServiceSas() ...
        Assert.All(compiled.AppSettings, s =>
        {
            Assert.DoesNotMatch(secretLike, s.Value);
            Assert.DoesNotContain(secureParameters, p => s.Value.Contains($"parameters('{p}')"));
        });
        // The one "connection string" is Application Insights': an endpoint and instrumentation key, which ingest
        // nothing while local authentication is off.
        Assert.Equal(["APPLICATIONINSIGHTS_CONNECTION_STRING"], compiled.AppSettings.Keys.Where(k => k.Contains("CONNECTION", StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public void Blob_table_and_queue_data_roles_are_assigned_on_the_storage_account_and_nothing_wider()
    {
        var assignments = compiled.OfType("Microsoft.Authorization/roleAssignments").ToList();
        var storage = assignments.Where(a => ((string?)a.Resource["scope"])?.StartsWith("[resourceId('Microsoft.Storage/storageAccounts'", StringComparison.Ordinal) == true).ToList();
        var roles = storage.SelectMany(a => RoleIds(a.Module, a.Resource)).Order().ToList();

        Assert.Equal(new[] { BlobDataOwner, TableDataContributor, QueueDataContributor }.Order(), roles);
        Assert.All(assignments, a => Assert.NotNull((string?)a.Resource["scope"])); // none at resource-group scope
        Assert.All(assignments, a => Assert.Equal("ServicePrincipal", (string?)a.Resource["properties"]!["principalType"]));
        var telemetry = Assert.Single(assignments.Except(storage));
        Assert.StartsWith("[resourceId('Microsoft.Insights/components'", (string?)telemetry.Resource["scope"]);
        Assert.Equal([MonitoringMetricsPublisher], RoleIds(telemetry.Module, telemetry.Resource));
    }

    [Fact]
    public void Log_Analytics_and_Application_Insights_refuse_local_key_authentication()
    {
        var workspace = compiled.Single("Microsoft.OperationalInsights/workspaces")["properties"]!;
        var component = compiled.Single("Microsoft.Insights/components")["properties"]!;

        Assert.True((bool)workspace["features"]!["disableLocalAuth"]!);
        Assert.True((bool)component["DisableLocalAuth"]!);
        Assert.Contains("Microsoft.OperationalInsights/workspaces", (string?)component["WorkspaceResourceId"]);
    }

    [Fact]
    public void Outputs_name_the_app_its_host_and_the_storage_account_and_no_secret()
    {
        var outputs = compiled.Template["outputs"]!.AsObject();

        Assert.Equal(["defaultHostName", "functionAppName", "storageAccountName"], outputs.Select(o => o.Key).Order());
        Assert.Contains("defaultHostName", (string?)outputs["defaultHostName"]!["value"]);
        Assert.All(outputs, o => Assert.Equal("string", (string?)o.Value!["type"]));
    }

    [Fact]
    public void Parameters_file_builds_against_the_template_and_sets_only_its_parameters()
    {
        var declared = compiled.Template["parameters"]!.AsObject().Select(p => p.Key).ToHashSet();

        Assert.NotEmpty(compiled.Parameters["parameters"]!.AsObject());
        Assert.All(compiled.Parameters["parameters"]!.AsObject(), p => Assert.Contains(p.Key, declared));
    }

    /// <summary>The role definition ids an assignment grants: a literal, or each value of the variable map a copy loop walks.</summary>
    private List<string> RoleIds(string module, JsonObject assignment)
    {
        var definition = (string)assignment["properties"]!["roleDefinitionId"]!;
        if (Regex.Match(definition, @"items\(variables\('(\w+)'\)\)") is { Success: true } loop)
            return [.. compiled.TemplateOf(module)["variables"]![loop.Groups[1].Value]!.AsObject().Select(v => (string)v.Value!)];
        if (Regex.Match(definition, @"variables\('(\w+)'\)") is { Success: true } variable)
            return [(string)compiled.TemplateOf(module)["variables"]![variable.Groups[1].Value]!];
        return [Regex.Match(definition, "[0-9a-f]{8}-[0-9a-f-]{27}").Value];
    }
}
