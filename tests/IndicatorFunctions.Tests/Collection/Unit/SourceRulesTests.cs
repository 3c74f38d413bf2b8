using IndicatorFunctions.Domain;
using System.Text.Json;
using IndicatorFunctions.Api;
using IndicatorFunctions.Collection;

namespace IndicatorFunctions.Tests.Collection.Unit;

public sealed class SourceRulesTests
{
    private const string Url = "https://stats.example.org/gdp.csv";

    // The smallest valid definitions of each kind; every error test changes exactly one thing, so the only
    // error reported must be the one that change caused.
    private static readonly SourceBody Csv = new("http-csv", null, null, Url, null, null, null, null, null, null, null);
    private static readonly SourceBody JsonSource = new("http-json", null, null, "https://api.example.org/v1/series", null, null, null, null, null, null, null);
    private static readonly SourceBody Drop = new("blob-drop", null, null, null, null, "drops", null, null, null, null, null);

    private static (Source? Source, List<FieldError> Errors) Validate(SourceBody? body, string id = "gdp-monthly")
    {
        var errors = new List<FieldError>();
        var source = SourceRules.Validate(id, body, errors);
        return (source, errors);
    }

    /// <summary>Headers as a PUT body carries them: <c>{"Name": "literal"}</c> or <c>{"Name": {"setting": "AppSetting"}}</c>.</summary>
    private static Dictionary<string, JsonElement> Headers(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    }

    private static Dictionary<string, JsonElement> Header(string name, JsonElement value) => new() { [name] = value };

    /// <summary>Fails unless the definition was rejected with errors on exactly these fields (and no source came back).</summary>
    private static List<FieldError> AssertRejected(SourceBody? body, params string[] fields)
    {
        var (source, errors) = Validate(body);
        Assert.Null(source);
        Assert.Equal(fields.Order(StringComparer.Ordinal), errors.Select(e => e.Field).Order(StringComparer.Ordinal));
        return errors;
    }

    private static Source AssertAccepted(SourceBody body)
    {
        var (source, errors) = Validate(body);
        Assert.Empty(errors);
        Assert.NotNull(source);
        return source;
    }

    // ---- valid definitions ----------------------------------------------------------------------------------------

    [Fact]
    public void Valid_http_csv_comes_back_as_a_source_with_every_field_and_enabled_by_default()
    {
        var body = Csv with
        {
            Description = "GDP by district, monthly",
            Headers = Headers("""{"Accept": "text/csv", "X-Api-Key": {"setting": "StatsKey"}}"""),
            Records = "ignored-for-csv",
            Mapping = new() { ["district"] = "Region", ["value"] = "Amount" },
            Defaults = new() { ["unit"] = "CNY", ["scale"] = "1e8", ["status"] = "provisional" },
            Schedule = "0 0 2 5 * *",
        };

        var source = AssertAccepted(body);

        Assert.Equal("gdp-monthly", source.Id);
        Assert.Equal(SourceKind.HttpCsv, source.Kind);
        Assert.Equal("http-csv", source.KindName);
        Assert.True(source.IsHttp);
        Assert.True(source.Enabled); // Enabled was not given
        Assert.Equal("GDP by district, monthly", source.Description);
        Assert.Equal(Url, source.Url);
        Assert.Equal([new SourceHeader("Accept", "text/csv", null), new SourceHeader("X-Api-Key", null, "StatsKey")], source.Headers);
        Assert.Null(source.Container);
        Assert.Null(source.Prefix);
        Assert.Equal("ignored-for-csv", source.Records);
        Assert.Equal("Amount", source.Mapping["value"]);
        Assert.Equal("Region", source.Mapping["district"]);
        Assert.Equal("1e8", source.Defaults["scale"]);
        Assert.Equal("0 0 2 5 * *", source.Schedule);
    }

    [Fact]
    public void Valid_http_json_keeps_its_records_path_and_an_explicit_enabled_false()
    {
        var source = AssertAccepted(JsonSource with { Enabled = false, Records = "data.items", Mapping = new() { ["value"] = "attributes.value" } });

        Assert.Equal(SourceKind.HttpJson, source.Kind);
        Assert.Equal("http-json", source.KindName);
        Assert.True(source.IsHttp);
        Assert.False(source.Enabled);
        Assert.Equal("data.items", source.Records);
        Assert.Empty(source.Headers);
        Assert.Empty(source.Defaults); // absent defaults become an empty map, not null
    }

    [Fact]
    public void Valid_blob_drop_has_container_and_prefix_and_no_url_or_headers()
    {
        var source = AssertAccepted(Drop with { Prefix = "gdp/2025/", Defaults = new() { ["district"] = "徐汇区" } });

        Assert.Equal(SourceKind.BlobDrop, source.Kind);
        Assert.Equal("blob-drop", source.KindName);
        Assert.False(source.IsHttp);
        Assert.True(source.Enabled);
        Assert.Equal("drops", source.Container);
        Assert.Equal("gdp/2025/", source.Prefix);
        Assert.Null(source.Url);
        Assert.Empty(source.Headers);
        Assert.Empty(source.Mapping);
        Assert.Equal("徐汇区", source.Defaults["district"]); // district defaults are names, not slugs
    }

    [Fact]
    public void Header_map_shows_settings_by_name_and_never_a_secret_value()
    {
        var source = AssertAccepted(Csv with { Headers = Headers("""{"Accept": "text/csv", "Authorization": {"setting": "StatsToken"}}""") });

        // This is what GET /api/sources returns: the setting's name is all that is stored.
        Assert.Equal("""{"Accept":"text/csv","Authorization":{"setting":"StatsToken"}}""", JsonSerializer.Serialize(source.HeaderMap));
    }

    // ---- body, id, kind -------------------------------------------------------------------------------------------

    [Fact]
    public void Missing_body_is_reported_as_body()
    {
        AssertRejected(null, "body");
    }

    [Theory]
    [InlineData("")]
    [InlineData("GDP")]
    [InlineData("gdp monthly")]
    [InlineData("-gdp")]
    [InlineData("gdp/monthly")]
    [InlineData("gdp\n")] // a trailing newline must not slip through a $-anchored pattern
    public void Id_that_is_not_a_slug_is_reported_as_id(string id)
    {
        var (source, errors) = Validate(Csv, id);

        Assert.Null(source);
        Assert.Equal("id", Assert.Single(errors).Field);
    }

    [Fact]
    public void Bad_id_and_missing_body_are_both_reported()
    {
        var (source, errors) = Validate(null, "Bad Id");

        Assert.Null(source);
        Assert.Equal(["id", "body"], errors.Select(e => e.Field));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ftp")]
    [InlineData("HTTP-CSV")] // kinds are case-sensitive
    [InlineData("http_csv")]
    [InlineData("csv")]
    public void Unknown_kind_is_reported_as_kind_naming_the_kinds_there_are(string? kind)
    {
        var errors = AssertRejected(Csv with { Kind = kind }, "kind");

        Assert.Contains("http-csv, http-json, blob-drop or press-release", errors[0].Message);
    }

    // Regression: an unknown kind left SourceKinds.TryParse's out value at default(SourceKind), which is
    // HttpCsv, so the rest of the body was checked as if it were an http-csv source. A mistyped blob-drop gets two
    // false errors besides "kind": "url is required" and "container does not apply to http-csv sources".
    [Fact]
    public void Unknown_kind_is_one_error_and_not_checked_as_if_it_were_http_csv()
    {
        var (source, errors) = Validate(Drop with { Kind = "blob_drop" });

        Assert.Null(source);
        Assert.DoesNotContain(errors, e => e.Message.Contains("http-csv sources", StringComparison.Ordinal));
        Assert.Equal(["kind"], errors.Select(e => e.Field));
    }

    [Fact]
    public void Description_longer_than_1024_characters_is_reported()
    {
        AssertAccepted(Csv with { Description = new string('d', 1024) });
        AssertRejected(Csv with { Description = new string('d', 1025) }, "description");
    }

    [Fact]
    public void Records_path_longer_than_1024_characters_is_reported()
    {
        AssertAccepted(JsonSource with { Records = new string('r', 1024) });
        AssertRejected(JsonSource with { Records = new string('r', 1025) }, "records");
    }

    // ---- url ------------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(null)] // required for http sources
    [InlineData("")]
    [InlineData("stats.example.org/gdp.csv")] // no scheme
    [InlineData("/data/gdp.csv")] // relative (on Unix Uri takes this as a file: URI, which must fail too)
    [InlineData("gdp.csv")]
    [InlineData("ftp://stats.example.org/gdp.csv")]
    [InlineData("file:///etc/passwd")]
    [InlineData("mailto:stats@example.org")]
    [InlineData("https://")]
    public void Url_that_is_not_an_absolute_http_url_is_reported_as_url(string? url)
    {
        var errors = AssertRejected(Csv with { Url = url }, "url");

        Assert.Contains("absolute http or https URL", errors[0].Message);
    }

    [Theory]
    [InlineData(2048, true)]
    [InlineData(2049, false)]
    public void Url_may_be_at_most_2048_characters(int length, bool accepted)
    {
        const string start = "https://stats.example.org/";
        var body = Csv with { Url = start + new string('a', length - start.Length) };

        if (accepted)
            AssertAccepted(body);
        else
            AssertRejected(body, "url");
    }

    [Theory]
    [InlineData("https://user:pass@stats.example.org/gdp.csv")]
    [InlineData("https://user@stats.example.org/gdp.csv")]
    [InlineData("http://:secret@stats.example.org/gdp.csv")]
    public void Url_carrying_a_user_or_password_is_reported_as_url(string url)
    {
        var errors = AssertRejected(Csv with { Url = url }, "url");

        Assert.Contains("user name or password", errors[0].Message);
    }

    [Theory]
    [InlineData("?apikey=abc", "apikey")]
    [InlineData("?token=x", "token")]
    [InlineData("?year=2025&access_token=x", "access_token")] // not only the first parameter
    [InlineData("?API_KEY=abc", "API_KEY")] // names are matched case-insensitively
    [InlineData("?password=hunter2", "password")]
    [InlineData("?session=s1", "session")]
    [InlineData("?sv=2024-11-04&sp=r&sig=abc", "sig")] // a SAS token's signature
    [InlineData("?code=abc", "code")] // an Azure Functions key
    [InlineData("?signature=b", "signature")]
    [InlineData("?api%6Bey=abc", "api%6Bey")] // percent-encoding the name does not hide it ("apikey")
    [InlineData("?token=x#section", "token")] // the fragment is not part of the value
    [InlineData("?apikey=%7Bsetting:StatsKey%7D", "apikey")] // an encoded reference is not a reference
    [InlineData("?apikey=abc{setting:StatsKey}", "apikey")] // a literal beside the reference would be stored in plain text
    public void Query_parameter_with_a_literal_credential_is_reported_as_url_naming_it(string query, string name)
    {
        var errors = AssertRejected(Csv with { Url = Url + query }, "url");

        Assert.Contains($"query parameter '{name}' looks like a credential", errors[0].Message);
    }

    [Fact]
    public void Every_credential_in_the_query_is_reported()
    {
        var errors = AssertRejected(Csv with { Url = Url + "?apikey=a&q=x&token=b" }, "url", "url");

        Assert.Contains(errors, e => e.Message.Contains("'apikey'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains("'token'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(Url + "?apikey={setting:StatsKey}")] // the secret stays in app settings
    [InlineData(Url + "?year=2025&token={setting:Stats.Token-2}")]
    [InlineData(Url + "?q=a%20b")] // percent signs are ordinary in URLs
    [InlineData(Url + "?year=2025&format=csv")]
    [InlineData(Url + "?token=")] // nothing stored, nothing leaked
    [InlineData(Url + "?apikey")]
    [InlineData("https://{setting:StatsHost}/gdp.csv")] // references are allowed anywhere, not only in the query
    [InlineData("http://stats.example.org:8080/gdp.csv")]
    public void Url_without_a_literal_credential_is_accepted_as_written(string url)
    {
        var source = AssertAccepted(Csv with { Url = url });

        Assert.Equal(url, source.Url); // references are resolved when fetching, never when storing
    }

    // ---- headers --------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("Authorization", "Bearer abc")]
    [InlineData("X-Api-Key", "abc")]
    [InlineData("Cookie", "session=1")]
    [InlineData("X-Auth-Token", "abc")]
    [InlineData("Ocp-Apim-Subscription-Key", "abc")]
    [InlineData("x-client-secret", "abc")]
    [InlineData("Proxy-Authorization", "Basic abc")]
    [InlineData("X-Api-Key", "")] // even an empty literal: the rule is about the name
    public void Secret_looking_header_with_a_literal_value_is_reported_under_its_name(string name, string value)
    {
        var errors = AssertRejected(Csv with { Headers = Header(name, JsonSerializer.SerializeToElement(value)) }, $"headers.{name}");

        Assert.Contains("{\"setting\": \"Name\"}", errors[0].Message);
        Assert.Contains("app setting SourceSecrets__Name", errors[0].Message);
    }

    [Theory]
    [InlineData("Authorization", "StatsToken")]
    [InlineData("X-Api-Key", "StatsKey")]
    [InlineData("Cookie", "Stats.Cookie")]
    [InlineData("X-Auth-Token", "_stats.token-1")]
    [InlineData("Accept", "AcceptHeader")] // any header may come from a setting
    public void Header_from_an_app_setting_is_accepted_by_setting_name(string name, string setting)
    {
        var source = AssertAccepted(Csv with { Headers = Header(name, JsonSerializer.SerializeToElement(new { setting })) });

        Assert.Equal(new SourceHeader(name, null, setting), Assert.Single(source.Headers));
    }

    [Theory]
    [InlineData("Accept", "text/csv")]
    [InlineData("User-Agent", "indicator-collector/1.0")]
    [InlineData("Accept-Language", "zh-CN")]
    public void Ordinary_header_with_a_literal_value_is_accepted(string name, string value)
    {
        var source = AssertAccepted(Csv with { Headers = Header(name, JsonSerializer.SerializeToElement(value)) });

        Assert.Equal(new SourceHeader(name, value, null), Assert.Single(source.Headers));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1StatsKey")]
    [InlineData("Stats Key")]
    [InlineData("Stats/Key")]
    [InlineData("-StatsKey")]
    [InlineData("StatsKey\n")]
    [InlineData("Stats:Key")] // no sections: a source reaches only SourceSecrets__<name>
    public void Header_naming_an_invalid_setting_is_reported_under_its_name(string setting)
    {
        var errors = AssertRejected(Csv with { Headers = Header("X-Api-Key", JsonSerializer.SerializeToElement(new { setting })) }, "headers.X-Api-Key");

        Assert.Contains("is not a setting name", errors[0].Message);
    }

    [Fact]
    public void Setting_name_may_be_128_characters_but_not_129()
    {
        AssertAccepted(Csv with { Headers = Header("X-Api-Key", JsonSerializer.SerializeToElement(new { setting = new string('k', 128) })) });
        AssertRejected(Csv with { Headers = Header("X-Api-Key", JsonSerializer.SerializeToElement(new { setting = new string('k', 129) })) }, "headers.X-Api-Key");
    }

    [Theory]
    [InlineData("Host", "\"stats.example.org\"")]
    [InlineData("host", "\"stats.example.org\"")] // case-insensitive, as HTTP header names are
    [InlineData("If-None-Match", "\"\\\"abc\\\"\"")]
    [InlineData("If-Modified-Since", "\"Mon, 01 Jan 2024 00:00:00 GMT\"")]
    [InlineData("Content-Length", "\"0\"")]
    [InlineData("Transfer-Encoding", "\"chunked\"")]
    [InlineData("Connection", "\"close\"")]
    [InlineData("If-None-Match", """{"setting": "Etag"}""")] // reserved even when it would come from a setting
    public void Reserved_header_is_reported_as_set_by_the_collector(string name, string valueJson)
    {
        using var value = JsonDocument.Parse(valueJson);
        var errors = AssertRejected(Csv with { Headers = Header(name, value.RootElement.Clone()) }, $"headers.{name}");

        Assert.Contains("set by the collector itself", errors[0].Message);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("[\"text/csv\"]")]
    [InlineData("{}")]
    [InlineData("""{"setting": 5}""")]
    [InlineData("""{"name": "StatsKey"}""")]
    [InlineData("""{"setting": "StatsKey", "value": "abc"}""")] // exactly one property
    public void Header_value_that_is_neither_a_string_nor_a_setting_object_is_reported(string valueJson)
    {
        using var value = JsonDocument.Parse(valueJson);
        var errors = AssertRejected(Csv with { Headers = Header("Accept", value.RootElement.Clone()) }, "headers.Accept");

        Assert.Contains("must be a string or", errors[0].Message);
    }

    [Theory]
    [InlineData("X Api")]
    [InlineData("Bad:Name")]
    [InlineData("")]
    [InlineData("Ünicode")]
    public void Invalid_header_name_is_reported_under_that_name(string name)
    {
        var errors = AssertRejected(Csv with { Headers = Header(name, JsonSerializer.SerializeToElement("x")) }, $"headers.{name}");

        Assert.Contains("is not a valid header name", errors[0].Message);
    }

    [Theory]
    [InlineData("text/csv\r\nX-Injected: 1")] // header injection
    [InlineData("a\tb")]
    public void Literal_header_value_with_control_characters_is_reported(string value)
    {
        AssertRejected(Csv with { Headers = Header("Accept", JsonSerializer.SerializeToElement(value)) }, "headers.Accept");
    }

    [Fact]
    public void Literal_header_value_may_be_1024_characters_but_not_1025()
    {
        AssertAccepted(Csv with { Headers = Header("Accept", JsonSerializer.SerializeToElement(new string('a', 1024))) });
        AssertRejected(Csv with { Headers = Header("Accept", JsonSerializer.SerializeToElement(new string('a', 1025))) }, "headers.Accept");
    }

    // ---- fields that belong to the other kind ---------------------------------------------------------------------

    [Fact]
    public void Blob_drop_with_headers_is_reported_as_headers()
    {
        var errors = AssertRejected(Drop with { Headers = Headers("""{"Accept": "text/csv"}""") }, "headers");

        Assert.Contains("http-csv, http-json and press-release pages only", errors[0].Message);
    }

    [Fact]
    public void Blob_drop_with_empty_headers_is_accepted()
    {
        AssertAccepted(Drop with { Headers = [] });
    }

    [Fact]
    public void Blob_drop_with_a_url_is_reported_as_url()
    {
        var errors = AssertRejected(Drop with { Url = Url }, "url");

        Assert.Contains("does not apply to blob-drop sources", errors[0].Message);
    }

    [Theory]
    [InlineData("http-csv")]
    [InlineData("http-json")]
    public void Http_source_with_container_or_prefix_reports_each(string kind)
    {
        var errors = AssertRejected(Csv with { Kind = kind, Container = "drops", Prefix = "gdp/" }, "container", "prefix");

        Assert.All(errors, e => Assert.Contains($"does not apply to {kind} sources", e.Message));
    }

    // ---- container and prefix -------------------------------------------------------------------------------------

    [Theory]
    [InlineData(null)] // required for blob-drop
    [InlineData("")]
    [InlineData("ab")] // too short
    [InlineData("Drops")] // upper case
    [InlineData("DROPS")]
    [InlineData("stats--drops")] // double hyphen
    [InlineData("-drops")]
    [InlineData("drops-")]
    [InlineData("stats_drops")]
    [InlineData("stats/drops")]
    [InlineData("drops\n")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 64 characters
    public void Invalid_container_name_is_reported_as_container(string? container)
    {
        var errors = AssertRejected(Drop with { Container = container }, "container");

        Assert.Contains("3-63 lowercase letters", errors[0].Message);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("stats-drops-2025")]
    [InlineData("123")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 63 characters
    public void Valid_container_name_is_accepted(string container)
    {
        Assert.Equal(container, AssertAccepted(Drop with { Container = container }).Container);
    }

    [Fact]
    public void Prefix_may_be_1024_characters_but_not_1025()
    {
        AssertAccepted(Drop with { Prefix = new string('p', 1024) });
        AssertRejected(Drop with { Prefix = new string('p', 1025) }, "prefix");
    }

    // ---- mapping --------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("x", "Amount", "mapping.x")] // not an observation field
    [InlineData("Value", "Amount", "mapping.Value")] // field names are exact
    [InlineData("region", "Region", "mapping.region")]
    [InlineData("value", "", "mapping.value")] // must name a column
    [InlineData("value", "   ", "mapping.value")]
    public void Bad_mapping_entry_is_reported_under_its_field(string field, string column, string reported)
    {
        AssertRejected(Csv with { Mapping = new() { [field] = column } }, reported);
    }

    [Fact]
    public void Mapping_to_an_unknown_field_lists_the_fields_there_are()
    {
        var errors = AssertRejected(Csv with { Mapping = new() { ["x"] = "Amount" } }, "mapping.x");

        Assert.Contains("district, indicator, period, value, sector, unit, scale, status, source", errors[0].Message);
    }

    [Fact]
    public void Mapping_column_may_be_256_characters_but_not_257()
    {
        AssertAccepted(Csv with { Mapping = new() { ["value"] = new string('c', 256) } });
        AssertRejected(Csv with { Mapping = new() { ["value"] = new string('c', 257) } }, "mapping.value");
    }

    [Fact]
    public void Every_observation_field_may_be_mapped()
    {
        var mapping = ObservationFields().ToDictionary(f => f, f => "col_" + f);

        Assert.Equal(mapping, AssertAccepted(Csv with { Mapping = mapping }).Mapping);
    }

    private static string[] ObservationFields() => ["district", "indicator", "period", "value", "sector", "unit", "scale", "status", "source"];

    // ---- defaults -------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("value", "1", "defaults.value", "every figure must come from the payload")]
    [InlineData("scale", "0", "defaults.scale", "greater than 0")]
    [InlineData("scale", "-1", "defaults.scale", "greater than 0")]
    [InlineData("scale", "abc", "defaults.scale", "greater than 0")]
    [InlineData("scale", "1,000", "defaults.scale", "greater than 0")]
    [InlineData("scale", "NaN", "defaults.scale", "greater than 0")]
    [InlineData("scale", "Infinity", "defaults.scale", "greater than 0")]
    [InlineData("scale", "1e400", "defaults.scale", "greater than 0")] // overflows to infinity
    [InlineData("status", "Final", "defaults.status", "final, provisional or estimated")] // statuses are lower case
    [InlineData("status", "draft", "defaults.status", "final, provisional or estimated")]
    [InlineData("period", "2025-13", "defaults.period", "is not a period")]
    [InlineData("period", "2025Q1", "defaults.period", "is not a period")]
    [InlineData("period", "25", "defaults.period", "is not a period")]
    [InlineData("indicator", "GDP", "defaults.indicator", "must be a slug")]
    [InlineData("indicator", "gdp growth", "defaults.indicator", "must be a slug")]
    [InlineData("sector", "IT", "defaults.sector", "must be a slug")]
    [InlineData("colour", "red", "defaults.colour", "is not an observation field")]
    [InlineData("unit", "", "defaults.unit", "must be 1-256 characters")]
    [InlineData("district", "  ", "defaults.district", "must be 1-256 characters")]
    public void Bad_default_is_reported_under_its_field(string field, string value, string reported, string message)
    {
        var errors = AssertRejected(Csv with { Defaults = new() { [field] = value } }, reported);

        Assert.Contains(message, errors[0].Message);
    }

    [Fact]
    public void Default_for_value_is_refused_whatever_it_is()
    {
        // Checked before anything else about the default: no well-formed number makes it acceptable.
        AssertRejected(Csv with { Defaults = new() { ["value"] = "1.5" } }, "defaults.value");
        AssertRejected(Csv with { Defaults = new() { ["value"] = "" } }, "defaults.value");
    }

    [Theory]
    [InlineData("scale", "1e8")]
    [InlineData("scale", "10000")]
    [InlineData("scale", "0.001")]
    [InlineData("status", "final")]
    [InlineData("status", "provisional")]
    [InlineData("status", "estimated")]
    [InlineData("period", "2025")]
    [InlineData("period", "2025-H1")]
    [InlineData("period", "2025-Q3")]
    [InlineData("period", "2025-07")]
    [InlineData("period", "2025-YTD07")]
    [InlineData("indicator", "gdp")]
    [InlineData("sector", "it-services")]
    [InlineData("district", "Xuhui District")]
    [InlineData("unit", "CNY")]
    [InlineData("source", "Shanghai Statistics Bureau")]
    public void Valid_default_is_kept(string field, string value)
    {
        var source = AssertAccepted(Csv with { Defaults = new() { [field] = value } });

        Assert.Equal(value, source.Defaults[field]);
    }

    [Fact]
    public void Default_may_be_256_characters_but_not_257()
    {
        AssertAccepted(Csv with { Defaults = new() { ["unit"] = new string('u', 256) } });
        AssertRejected(Csv with { Defaults = new() { ["unit"] = new string('u', 257) } }, "defaults.unit");
    }

    // ---- schedule -------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("")]
    [InlineData("daily")]
    [InlineData("0 2 * * *")] // five-field Unix cron: NCRONTAB has seconds
    [InlineData("60 * * * * *")]
    [InlineData("0 0 2 32 * *")]
    [InlineData("0 0 2 * 13 *")]
    public void Schedule_that_is_not_ncrontab_is_reported_as_schedule(string schedule)
    {
        var errors = AssertRejected(Csv with { Schedule = schedule }, "schedule");

        Assert.Contains($"schedule '{schedule}' is not an NCRONTAB expression", errors[0].Message);
    }

    [Theory]
    [InlineData("0 0 2 5 * *")]
    [InlineData("0 */30 * * * *")]
    [InlineData("0 0 6 * * MON-FRI")]
    public void Valid_schedule_is_kept(string schedule)
    {
        Assert.Equal(schedule, AssertAccepted(Csv with { Schedule = schedule }).Schedule);
    }

    // ---- all at once ----------------------------------------------------------------------------------------------

    [Fact]
    public void Every_problem_in_one_definition_is_reported_in_one_call()
    {
        var body = new SourceBody(
            Kind: "http-json",
            Enabled: true,
            Description: null,
            Url: "https://u:p@api.example.org/v1?token=abc",
            Headers: Headers("""{"Authorization": "Bearer abc", "Host": "x", "Accept": 1}"""),
            Container: "drops",
            Prefix: null,
            Records: null,
            Mapping: new() { ["x"] = "a" },
            Defaults: new() { ["value"] = "1", ["scale"] = "0", ["status"] = "draft", ["period"] = "soon", ["indicator"] = "GDP" },
            Schedule: "daily");
        var errors = new List<FieldError>();

        var source = SourceRules.Validate("Bad Id", body, errors);

        Assert.Null(source);
        Assert.Equal(
            ["container", "defaults.indicator", "defaults.period", "defaults.scale", "defaults.status", "defaults.value", "headers.Accept",
             "headers.Authorization", "headers.Host", "id", "mapping.x", "schedule", "url", "url"],
            errors.Select(e => e.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Errors_already_in_the_list_are_kept_and_still_mean_no_source()
    {
        // Validate adds to the caller's list and returns null whenever the list is not empty afterwards.
        var errors = new List<FieldError> { new("earlier", "from another check") };

        var source = SourceRules.Validate("gdp", Csv, errors);

        Assert.Null(source);
        Assert.Equal("earlier", Assert.Single(errors).Field);
    }
}
