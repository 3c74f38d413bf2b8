using Azure.Core;
using IndicatorFunctions.Data;
using IndicatorFunctions.Hosting;
using IndicatorFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace IndicatorFunctions.Tests.App;

public sealed class SettingsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("settings").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Local_settings_Values_are_read_with_double_underscore_as_section_separator()
    {
        var path = Path.Combine(_dir, "local.settings.json");
        File.WriteAllText(path, """
            { "IsEncrypted": false,
              "Values": { "AzureWebJobsStorage": "UseDevelopmentStorage=true", "AzureWebJobsStorage__accountName": "acct", "Retries": 3, },
              "Host": { "LocalHttpPort": 7072 } }
            """);

        var values = LocalSettings.ReadLocalSettings(path);

        Assert.Equal("UseDevelopmentStorage=true", values["AzureWebJobsStorage"]);
        Assert.Equal("acct", values["AzureWebJobsStorage:accountName"]);
        Assert.Equal("3", values["Retries"]);
        Assert.False(values.ContainsKey("LocalHttpPort"));
    }

    [Fact]
    public void Environment_variables_win_over_local_settings_and_local_settings_fill_the_rest()
    {
        var name = "IF_TEST_" + Guid.NewGuid().ToString("N")[..8];
        File.WriteAllText(Path.Combine(_dir, "local.settings.json"),
            $$"""{ "Values": { "{{name}}_A": "from-file", "{{name}}_B": "from-file" } }""");
        Environment.SetEnvironmentVariable(name + "_A", "from-environment");
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = _dir });
            builder.AddLocalSettings();

            Assert.Equal("from-environment", builder.Configuration[name + "_A"]);
            Assert.Equal("from-file", builder.Configuration[name + "_B"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name + "_A", null);
        }
    }

    [Theory]
    [InlineData(null, "http://127.0.0.1:7071")]
    [InlineData("http://127.0.0.1:5005", "http://127.0.0.1:5005")]
    public void Local_mode_listens_on_explicit_urls_else_loopback_7071(string? urls, string expected)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = urls }).Build();

        Assert.Equal(expected, LocalSettings.ListenUrls(config));
    }

    [Theory]
    [InlineData("http://127.0.0.1:7071", null, true)]
    [InlineData("http://localhost:5000", null, true)]
    [InlineData("http://[::1]:7071", null, true)]
    [InlineData("http://127.0.0.2:7071", null, true)]
    [InlineData("http://0.0.0.0:7071", null, false)]
    [InlineData("http://*:80", null, false)]
    [InlineData("http://+:80", null, false)]
    [InlineData("http://10.0.0.5:7071", null, false)]
    [InlineData("http://127.0.0.1:1;http://0.0.0.0:2", null, false)]
    [InlineData("http://0.0.0.0:7071", "", false)]
    [InlineData("http://0.0.0.0:7071", "a-key", true)]
    public void Listening_beyond_loopback_requires_an_AdminApiKey(string urls, string? key, bool allowed)
    {
        var ex = Record.Exception(() => LocalSettings.RequireKeyBeyondLoopback(urls, key));

        if (allowed)
            Assert.Null(ex);
        else
            Assert.Contains("AdminApiKey", Assert.IsType<InvalidOperationException>(ex).Message);
    }

    private static FunctionDescriptor Nightly => Assert.Single(FunctionIndex.Of(typeof(Program).Assembly), f => f.Timer is not null);

    [Theory]
    [InlineData(null, "0 0 2 * * *")]
    [InlineData("0 30 1 * * *", "0 30 1 * * *")]
    public void Timer_schedule_comes_from_the_trigger_attribute_resolved_against_settings_with_the_nightly_default(string? setting, string expected)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AggregationSchedule"] = setting }).Build();

        var timer = LocalTimers.Resolve(Nightly, config);

        Assert.Equal(("NightlyAggregation", "%AggregationSchedule%", expected, false), (timer.Function.Name, timer.Function.Timer!.Schedule, timer.Expression, timer.Function.Timer.RunOnStartup));
    }

    [Fact]
    public void An_invalid_schedule_setting_fails_naming_the_setting_and_the_rule()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AggregationSchedule"] = "0 61 2 * * *" }).Build();

        var ex = Assert.Throws<InvalidOperationException>(() => LocalTimers.Resolve(Nightly, config));

        Assert.Contains("%AggregationSchedule%", ex.Message);
        Assert.Contains("61", ex.Message);
    }

    [Fact]
    public void A_referenced_setting_without_value_or_default_is_an_error_naming_it()
    {
        var function = Nightly with { Timer = new Microsoft.Azure.Functions.Worker.TimerTriggerAttribute("%NoSuchSchedule%") };

        var ex = Assert.Throws<InvalidOperationException>(() => LocalTimers.Resolve(function, new ConfigurationBuilder().Build()));

        Assert.Contains("NoSuchSchedule", ex.Message);
    }

    [Theory]
    [InlineData("AzureWebJobs.NightlyAggregation.Disabled", "true", true)]
    [InlineData("AzureWebJobs.NightlyAggregation.Disabled", "True", true)]
    [InlineData("AzureWebJobs.NightlyAggregation.Disabled", "false", false)]
    [InlineData("AzureWebJobs:NightlyAggregation:Disabled", "true", true)]
    [InlineData("AzureWebJobs.Other.Disabled", "true", false)]
    public void A_function_is_disabled_by_its_AzureWebJobs_setting(string name, string value, bool disabled)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [name] = value }).Build();

        Assert.Equal(disabled, LocalTimers.IsDisabled("NightlyAggregation", config));
    }

    [Theory]
    [InlineData(null, "AzureWebJobsStorage is missing")]
    [InlineData("AccountName=acct", "Setting AzureWebJobsStorage: Connection string parsing error. Give UseDevelopmentStorage=true, or DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…")]
    [InlineData("AccountKey=a2V5", "Setting AzureWebJobsStorage: Connection string parsing error. Give UseDevelopmentStorage=true")]
    [InlineData("UseDevelopmentStorage=maybe", "Setting AzureWebJobsStorage: Connection string parsing error. Give UseDevelopmentStorage=true")]
    public void Storage_setting_errors_name_the_setting_and_the_forms_it_takes(string? value, string expected)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = value }).Build();

        var ex = Assert.Throws<InvalidOperationException>(() => StorageAccount.FromConfiguration(config));

        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Identity_based_storage_derives_endpoints_from_the_account_name()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage:accountName"] = "indicatorsprod" }).Build();

        var account = StorageAccount.FromConfiguration(config, new NoCredential());

        Assert.Equal("https://indicatorsprod.table.core.windows.net/", account.TableEndpoint.AbsoluteUri);
        Assert.Equal("https://indicatorsprod.blob.core.windows.net/", account.BlobEndpoint.AbsoluteUri);
    }

    [Fact]
    public void Identity_based_storage_takes_explicit_service_uris()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage:tableServiceUri"] = "https://t.example.net",
            ["AzureWebJobsStorage:blobServiceUri"] = "https://b.example.net",
        }).Build();

        var account = StorageAccount.FromConfiguration(config, new NoCredential());

        Assert.Equal(("t.example.net", "b.example.net"), (account.TableEndpoint.Host, account.BlobEndpoint.Host));
    }

    [Theory]
    [InlineData("Upper")]
    [InlineData("1abc")]
    [InlineData("has-hyphen")]
    [InlineData("waytoolongprefix17")]
    public void An_invalid_storage_prefix_is_refused_naming_the_setting(string prefix)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["StoragePrefix"] = prefix,
        }).Build();

        Assert.Contains("StoragePrefix", Assert.Throws<InvalidOperationException>(() => StorageAccount.FromConfiguration(config)).Message);
    }

    [Fact]
    public void The_app_refuses_to_start_with_a_malformed_storage_setting()
    {
        var app = new FunctionAppFactory(new AzuriteFixture(), new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "AccountName=acct;AccountKey=not base64!" });

        var ex = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("Setting AzureWebJobsStorage:", ex.ToString());
    }

    private sealed class NoCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => throw new NotSupportedException();

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
