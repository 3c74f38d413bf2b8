using IndicatorFunctions.Storage.Blobs;
using IndicatorFunctions.Storage.Tables;

namespace IndicatorFunctions.Tests.Storage.Unit;

public sealed class TableValidationTests
{
    public static TheoryData<string> ValidTableNames => new()
    {
        "abc",
        "Abc",
        "mytable",
        "MyTable2024",
        "tables1",
        "a" + new string('b', 62), // 63 characters
    };

    [Theory]
    [MemberData(nameof(ValidTableNames))]
    public void Valid_table_name_is_accepted(string name)
    {
        var ex = Record.Exception(() => TableValidation.ValidateTableName(name));

        Assert.Null(ex);
    }

    public static TheoryData<string, string> InvalidTableNames => new()
    {
        { "", "3-63 letters and digits" },
        { "ab", "3-63 letters and digits" },
        { "a" + new string('b', 63), "3-63 letters and digits" }, // 64 characters
        { "1abc", "starting with a letter" },
        { "my-table", "3-63 letters and digits" },
        { "my_table", "3-63 letters and digits" },
        { "täble", "3-63 letters and digits" },
        { "tables", "reserved" },
        { "Tables", "reserved" },
        { "abc\n", "3-63 letters and digits" }, // a regex $ would let the newline through
    };

    [Theory]
    [MemberData(nameof(InvalidTableNames))]
    public void Invalid_table_name_throws_ArgumentException_with_the_rule(string name, string rule)
    {
        var ex = Assert.Throws<ArgumentException>(() => TableValidation.ValidateTableName(name));

        Assert.Equal("name", ex.ParamName);
        Assert.Contains(rule, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_table_name_throws_ArgumentNullException() =>
        Assert.Throws<ArgumentNullException>(() => TableValidation.ValidateTableName(null!));

    public static TheoryData<string> AllowedKeys => new()
    {
        "", // the service accepts an empty PartitionKey/RowKey
        "p",
        "it's",
        "a b",
        "100%",
        "徐汇区",
        "\u00A0non-breaking", // first character after the C1 control range
        new string('k', 512),
    };

    [Theory]
    [MemberData(nameof(AllowedKeys))]
    public void Allowed_key_passes(string key)
    {
        var ex = Record.Exception(() => TableValidation.ValidateKey(key, "RowKey"));

        Assert.Null(ex);
    }

    [Theory]
    [InlineData("a/b", "PartitionKey")]
    [InlineData("a\\b", "RowKey")]
    [InlineData("a#b", "partitionKey")]
    [InlineData("a?b", "rowKey")]
    public void Forbidden_character_throws_naming_parameter_and_rule(string key, string paramName)
    {
        var ex = Assert.Throws<ArgumentException>(() => TableValidation.ValidateKey(key, paramName));

        Assert.Equal(paramName, ex.ParamName);
        Assert.StartsWith(paramName + " ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/ \\ # ? or control characters", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a\u0000b", "\\u0000")]
    [InlineData("line\nbreak", "\\u000A")]
    [InlineData("a\u001Fb", "\\u001F")]
    [InlineData("a\u007Fb", "\\u007F")]
    [InlineData("a\u009Fb", "\\u009F")]
    public void Control_character_throws_and_the_message_shows_it_escaped(string key, string shown)
    {
        var ex = Assert.Throws<ArgumentException>(() => TableValidation.ValidateKey(key, "RowKey"));

        Assert.Equal("RowKey", ex.ParamName);
        Assert.Contains("control characters", ex.Message, StringComparison.Ordinal);
        Assert.Contains(shown, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(key.First(char.IsControl).ToString(), ex.Message, StringComparison.Ordinal); // the raw control character never reaches a log
    }

    [Theory]
    [InlineData(513)]
    [InlineData(1024)]
    public void Key_longer_than_512_characters_throws_naming_parameter_and_limit(int length)
    {
        var ex = Assert.Throws<ArgumentException>(() => TableValidation.ValidateKey(new string('k', length), "PartitionKey"));

        Assert.Equal("PartitionKey", ex.ParamName);
        Assert.Contains($"PartitionKey is {length} characters long", ex.Message, StringComparison.Ordinal);
        Assert.Contains("limit is 512", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_key_throws_ArgumentNullException_naming_the_parameter()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => TableValidation.ValidateKey(null!, "RowKey"));

        Assert.Equal("RowKey", ex.ParamName);
    }

    public static TheoryData<string> ValidContainerNames => new()
    {
        "abc",
        "a-b",
        "123",
        "my-container-2024",
        "a" + new string('b', 61) + "c", // 63 characters
    };

    [Theory]
    [MemberData(nameof(ValidContainerNames))]
    public void Valid_container_name_is_accepted(string name)
    {
        var ex = Record.Exception(() => BlobServiceClient.ValidateContainerName(name));

        Assert.Null(ex);
    }

    public static TheoryData<string> InvalidContainerNames => new()
    {
        "",
        "ab",
        "Abc",
        "a--b",
        "-abc",
        "abc-",
        "a_b",
        "a.b",
        "abc\n",
        "a" + new string('b', 62) + "c", // 64 characters
    };

    [Theory]
    [MemberData(nameof(InvalidContainerNames))]
    public void Invalid_container_name_throws_ArgumentException_with_the_rule(string name)
    {
        var ex = Assert.Throws<ArgumentException>(() => BlobServiceClient.ValidateContainerName(name));

        Assert.Equal("name", ex.ParamName);
        Assert.Contains("3-63 lowercase letters, digits and single hyphens", ex.Message, StringComparison.Ordinal);
    }
}
