using System.Text;
using Azure;
using IndicatorFunctions.Storage.Tables;

namespace IndicatorFunctions.Tests.Storage.Unit;

public sealed class TableBatchTests
{
    private const string TableUrl = "http://127.0.0.1:10002/devstoreaccount1/mytable";

    private static TableTransactionAction Add(string partition, string row) =>
        new(TableTransactionActionType.Add, new TableEntity(partition, row));

    private static List<TableTransactionAction> Adds(int count, string partition = "p") =>
        Enumerable.Range(0, count).Select(i => Add(partition, $"r{i:D3}")).ToList();

    // ---- Validate -------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    public void Validate_accepts_one_to_100_actions_in_one_partition(int count)
    {
        var ex = Record.Exception(() => TableBatch.Validate(Adds(count)));

        Assert.Null(ex);
    }

    [Theory]
    [InlineData(0, "at least one action")]
    [InlineData(101, "at most 100 actions; got 101")]
    public void Validate_rejects_empty_and_oversized_transactions(int count, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => TableBatch.Validate(Adds(count)));

        Assert.Equal("actions", ex.ParamName);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_names_the_first_action_in_another_partition()
    {
        var actions = Adds(5);
        actions[3] = Add("q", "r900");
        actions[4] = Add("z", "r901");

        var ex = Assert.Throws<ArgumentException>(() => TableBatch.Validate(actions));

        Assert.Contains("actions[3]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("PartitionKey 'q'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("partition is 'p'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_treats_partition_keys_case_sensitively()
    {
        var ex = Assert.Throws<ArgumentException>(() => TableBatch.Validate([Add("p", "a"), Add("P", "b")]));

        Assert.Contains("actions[1]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_names_the_action_that_repeats_a_RowKey()
    {
        var actions = new List<TableTransactionAction>
        {
            Add("p", "a"),
            new(TableTransactionActionType.UpsertMerge, new TableEntity("p", "b")),
            new(TableTransactionActionType.Delete, new TableEntity("p", "a")),
        };

        var ex = Assert.Throws<ArgumentException>(() => TableBatch.Validate(actions));

        Assert.Contains("actions[2] repeats RowKey 'a'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_allows_row_keys_that_differ_only_in_case()
    {
        var ex = Record.Exception(() => TableBatch.Validate([Add("p", "a"), Add("p", "A")]));

        Assert.Null(ex);
    }

    [Theory]
    [InlineData("p/x", "r", "actions[1].PartitionKey")]
    [InlineData("p", "r#1", "actions[1].RowKey")]
    [InlineData("p", "r\u0007", "actions[1].RowKey")]
    public void Validate_rejects_a_bad_key_inside_an_action(string partition, string row, string paramName)
    {
        var ex = Assert.Throws<ArgumentException>(() => TableBatch.Validate([Add("p", "ok"), Add(partition, row)]));

        Assert.Equal(paramName, ex.ParamName);
    }

    [Fact]
    public void Validate_rejects_a_513_character_key()
    {
        var ex = Assert.Throws<ArgumentException>(() => TableBatch.Validate([Add("p", new string('r', 513))]));

        Assert.Equal("actions[0].RowKey", ex.ParamName);
    }

    // ---- BuildBody ------------------------------------------------------------------------------------------------

    [Fact]
    public void BuildBody_writes_the_multipart_changeset_exactly()
    {
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Add, new TableEntity("p", "r1") { ["V"] = 1 }),
            new(TableTransactionActionType.Delete, new TableEntity("p", "r2")),
        };

        var body = Encoding.UTF8.GetString(TableBatch.BuildBody(TableUrl, actions, "batch_b", "changeset_c"));

        var expected =
            "--batch_b\r\n" +
            "Content-Type: multipart/mixed; boundary=changeset_c\r\n" +
            "\r\n" +
            "--changeset_c\r\n" +
            "Content-Type: application/http\r\n" +
            "Content-Transfer-Encoding: binary\r\n" +
            "\r\n" +
            "POST http://127.0.0.1:10002/devstoreaccount1/mytable HTTP/1.1\r\n" +
            "Accept: application/json;odata=minimalmetadata\r\n" +
            "DataServiceVersion: 3.0;\r\n" +
            "Prefer: return-no-content\r\n" +
            "Content-Type: application/json\r\n" +
            "\r\n" +
            "{\"PartitionKey\":\"p\",\"RowKey\":\"r1\",\"V\":1}\r\n" +
            "--changeset_c\r\n" +
            "Content-Type: application/http\r\n" +
            "Content-Transfer-Encoding: binary\r\n" +
            "\r\n" +
            "DELETE http://127.0.0.1:10002/devstoreaccount1/mytable(PartitionKey='p',RowKey='r2') HTTP/1.1\r\n" +
            "Accept: application/json;odata=minimalmetadata\r\n" +
            "DataServiceVersion: 3.0;\r\n" +
            "If-Match: *\r\n" +
            "\r\n" +
            "--changeset_c--\r\n" +
            "--batch_b--\r\n";
        Assert.Equal(expected, body);
    }

    [Fact]
    public void BuildBody_uses_CRLF_line_endings_only()
    {
        var actions = AllActionTypes();
        actions[0].Entity["Text"] = "line one\nline two\r\nline three"; // newlines inside values are JSON-escaped

        var body = Encoding.UTF8.GetString(TableBatch.BuildBody(TableUrl, actions, "batch_b", "changeset_c"));

        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] == '\n')
                Assert.True(i > 0 && body[i - 1] == '\r', $"bare LF at {i}");
            if (body[i] == '\r')
                Assert.True(i + 1 < body.Length && body[i + 1] == '\n', $"bare CR at {i}");
        }
        Assert.EndsWith("--changeset_c--\r\n--batch_b--\r\n", body, StringComparison.Ordinal);
        Assert.StartsWith("--batch_b\r\nContent-Type: multipart/mixed; boundary=changeset_c\r\n\r\n", body, StringComparison.Ordinal);
        Assert.Equal(actions.Count, Count(body, "--changeset_c\r\nContent-Type: application/http\r\n"));
    }

    public static TheoryData<TableTransactionActionType, string, bool> RequestLines => new()
    {
        { TableTransactionActionType.Add, "POST " + TableUrl + " HTTP/1.1", false },
        { TableTransactionActionType.UpsertReplace, "PUT " + TableUrl + "(PartitionKey='p',RowKey='r') HTTP/1.1", false },
        { TableTransactionActionType.UpsertMerge, "MERGE " + TableUrl + "(PartitionKey='p',RowKey='r') HTTP/1.1", false },
        { TableTransactionActionType.UpdateReplace, "PUT " + TableUrl + "(PartitionKey='p',RowKey='r') HTTP/1.1", true },
        { TableTransactionActionType.UpdateMerge, "MERGE " + TableUrl + "(PartitionKey='p',RowKey='r') HTTP/1.1", true },
        { TableTransactionActionType.Delete, "DELETE " + TableUrl + "(PartitionKey='p',RowKey='r') HTTP/1.1", true },
    };

    [Theory]
    [MemberData(nameof(RequestLines))]
    public void BuildBody_uses_the_method_and_URL_of_each_action_type(TableTransactionActionType type, string requestLine, bool ifMatchAny)
    {
        var part = SinglePart(new TableTransactionAction(type, new TableEntity("p", "r") { ["V"] = 1 }));

        Assert.StartsWith(requestLine + "\r\n", part, StringComparison.Ordinal);
        Assert.Equal(ifMatchAny, part.Contains("\r\nIf-Match: *\r\n", StringComparison.Ordinal));
        if (!ifMatchAny)
            Assert.DoesNotContain("If-Match", part, StringComparison.Ordinal);
        Assert.Equal(type == TableTransactionActionType.Add, part.Contains("\r\nPrefer: return-no-content\r\n", StringComparison.Ordinal));
        Assert.Equal(type != TableTransactionActionType.Delete, part.Contains("{\"PartitionKey\":\"p\",\"RowKey\":\"r\",\"V\":1}", StringComparison.Ordinal));
        Assert.Equal(type != TableTransactionActionType.Delete, part.Contains("\r\nContent-Type: application/json\r\n", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(TableTransactionActionType.UpdateMerge)]
    [InlineData(TableTransactionActionType.UpdateReplace)]
    [InlineData(TableTransactionActionType.Delete)]
    public void BuildBody_sends_the_given_ETag_as_If_Match(TableTransactionActionType type)
    {
        const string etag = "W/\"datetime'2024-01-02T03%3A04%3A05.1234567Z'\"";

        var part = SinglePart(new TableTransactionAction(type, new TableEntity("p", "r"), new ETag(etag)));

        Assert.Contains("\r\nIf-Match: " + etag + "\r\n", part, StringComparison.Ordinal);
        Assert.DoesNotContain("If-Match: *", part, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildBody_ends_a_Delete_part_right_after_its_headers()
    {
        var part = SinglePart(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity("p", "r") { ["V"] = 1 }));

        Assert.EndsWith("If-Match: *\r\n\r\n", part, StringComparison.Ordinal);
        Assert.DoesNotContain("Content-Type", part, StringComparison.Ordinal);
        Assert.DoesNotContain("\"V\"", part, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("p", "r", "(PartitionKey='p',RowKey='r')")]
    [InlineData("it's", "r", "(PartitionKey='it%27%27s',RowKey='r')")]
    [InlineData("p", "a b", "(PartitionKey='p',RowKey='a%20b')")]
    [InlineData("100%", "a+b&c=d", "(PartitionKey='100%25',RowKey='a%2Bb%26c%3Dd')")]
    [InlineData("徐汇", "", "(PartitionKey='%E5%BE%90%E6%B1%87',RowKey='')")]
    public void Entity_URL_doubles_quotes_then_percent_encodes_keys(string partition, string row, string expectedSuffix)
    {
        Assert.Equal(TableUrl + expectedSuffix, TableBatch.EntityUrl(TableUrl, partition, row));

        var part = SinglePart(new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(partition, row)));
        Assert.StartsWith("PUT " + TableUrl + expectedSuffix + " HTTP/1.1\r\n", part, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildBody_over_4_MiB_throws_ArgumentException()
    {
        // 100 actions x 2 properties x 30,000 characters ≈ 6 MB.
        var big = new string('x', 30_000);
        var actions = Enumerable.Range(0, 100)
            .Select(i => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity("p", $"r{i}") { ["A"] = big, ["B"] = big }))
            .ToList();

        var ex = Assert.Throws<ArgumentException>(() => TableBatch.BuildBody(TableUrl, actions, "batch_b", "changeset_c"));

        Assert.Equal("actions", ex.ParamName);
        Assert.Contains("limit is 4194304 (4 MiB)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildBody_just_under_4_MiB_is_accepted()
    {
        // 100 actions x 40,000 one-byte characters (two properties) ≈ 4.0 MB < 4,194,304 bytes.
        var half = new string('x', 20_000);
        var actions = Enumerable.Range(0, 100)
            .Select(i => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity("p", $"r{i}") { ["A"] = half, ["B"] = half }))
            .ToList();

        var body = TableBatch.BuildBody(TableUrl, actions, "batch_b", "changeset_c");

        Assert.InRange(body.Length, 4_000_000, 4 * 1024 * 1024);
    }

    [Fact]
    public void BuildBody_counts_bytes_not_characters()
    {
        // 100 x 15,000 three-byte characters = 4.5 MB of UTF-8 but only 1.5 M characters.
        var wide = new string('汇', 15_000);
        var actions = Enumerable.Range(0, 100)
            .Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"r{i}") { ["A"] = wide }))
            .ToList();

        Assert.Throws<ArgumentException>(() => TableBatch.BuildBody(TableUrl, actions, "batch_b", "changeset_c"));
    }

    // ---- ParseResponse / FailedIndex ------------------------------------------------------------------------------

    private const string SuccessPart =
        "--changesetresponse_7c1\r\n" +
        "Content-Type: application/http\r\n" +
        "Content-Transfer-Encoding: binary\r\n" +
        "\r\n" +
        "HTTP/1.1 204 No Content\r\n" +
        "X-Content-Type-Options: nosniff\r\n" +
        "Cache-Control: no-cache\r\n" +
        "DataServiceVersion: 1.0;\r\n" +
        "\r\n" +
        "\r\n";

    private static string Batch(params string[] parts) =>
        "--batchresponse_9e4\r\n" +
        "Content-Type: multipart/mixed; boundary=changesetresponse_7c1\r\n" +
        "\r\n" +
        string.Concat(parts) +
        "--changesetresponse_7c1--\r\n" +
        "--batchresponse_9e4--\r\n";

    private static string FailurePart(string status, string json) =>
        "--changesetresponse_7c1\r\n" +
        "Content-Type: application/http\r\n" +
        "Content-Transfer-Encoding: binary\r\n" +
        "\r\n" +
        "HTTP/1.1 " + status + "\r\n" +
        "X-Content-Type-Options: nosniff\r\n" +
        "DataServiceVersion: 3.0;\r\n" +
        "Content-Type: application/json;odata=minimalmetadata;streaming=true;charset=utf-8\r\n" +
        "\r\n" +
        json + "\r\n";

    [Fact]
    public void ParseResponse_reads_every_success_in_order()
    {
        var results = TableBatch.ParseResponse(Batch(SuccessPart, SuccessPart, SuccessPart));

        Assert.Equal(3, results.Count);
        Assert.All(results, r => Assert.Equal(new TableBatch.OperationResult(204, null, null), r));
        Assert.All(results, r => Assert.Null(TableBatch.FailedIndex(r)));
    }

    [Fact]
    public void ParseResponse_reads_mixed_success_statuses()
    {
        var created = SuccessPart.Replace("HTTP/1.1 204 No Content", "HTTP/1.1 201 Created", StringComparison.Ordinal);

        var results = TableBatch.ParseResponse(Batch(created, SuccessPart));

        Assert.Equal([201, 204], results.Select(r => r.Status));
    }

    [Fact]
    public void ParseResponse_reads_status_code_message_and_index_of_a_failure()
    {
        var body = Batch(FailurePart("409 Conflict",
            """{"odata.error":{"code":"EntityAlreadyExists","message":{"lang":"en-US","value":"7:The specified entity already exists.\nRequestId:9f0c1a2e-0002-0031-1d4b-9a8c5e000000\nTime:2024-01-02T03:04:05.1234567Z"}}}"""));

        var failure = Assert.Single(TableBatch.ParseResponse(body));

        Assert.Equal(409, failure.Status);
        Assert.Equal("EntityAlreadyExists", failure.ErrorCode);
        Assert.Equal("7:The specified entity already exists.\nRequestId:9f0c1a2e-0002-0031-1d4b-9a8c5e000000\nTime:2024-01-02T03:04:05.1234567Z", failure.ErrorMessage);
        Assert.Equal(7, TableBatch.FailedIndex(failure));
    }

    [Theory]
    [InlineData("0:One of the request inputs is not valid.", 0)]
    [InlineData("99:The update condition specified in the request was not satisfied.", 99)]
    [InlineData("The batch request body is malformed.", null)]
    [InlineData("Error 7: not a leading index", null)]
    public void FailedIndex_is_the_leading_number_before_a_colon(string message, int? expected)
    {
        var body = Batch(FailurePart("400 Bad Request",
            "{\"odata.error\":{\"code\":\"InvalidInput\",\"message\":{\"lang\":\"en-US\",\"value\":\"" + message + "\"}}}"));

        var failure = Assert.Single(TableBatch.ParseResponse(body));

        Assert.Equal(400, failure.Status);
        Assert.Equal("InvalidInput", failure.ErrorCode);
        Assert.Equal(expected, TableBatch.FailedIndex(failure));
    }

    [Fact]
    public void ParseResponse_unescapes_JSON_in_the_message()
    {
        var body = Batch(FailurePart("412 Precondition Failed",
            """{"odata.error":{"code":"UpdateConditionNotSatisfied","message":{"lang":"en-US","value":"2:Entity \u0027x\u0027 changed: \"etag\" \\ mismatch"}}}"""));

        var failure = Assert.Single(TableBatch.ParseResponse(body));

        Assert.Equal(412, failure.Status);
        Assert.Equal("2:Entity 'x' changed: \"etag\" \\ mismatch", failure.ErrorMessage);
        Assert.Equal(2, TableBatch.FailedIndex(failure));
    }

    [Fact]
    public void ParseResponse_keeps_failure_details_with_their_own_part()
    {
        var body = Batch(SuccessPart,
            FailurePart("404 Not Found", """{"odata.error":{"code":"ResourceNotFound","message":{"lang":"en-US","value":"1:The specified resource does not exist."}}}"""),
            SuccessPart);

        var results = TableBatch.ParseResponse(body);

        Assert.Equal([204, 404, 204], results.Select(r => r.Status));
        Assert.Null(results[0].ErrorCode);
        Assert.Equal("ResourceNotFound", results[1].ErrorCode);
        Assert.Null(results[2].ErrorCode);
        Assert.Equal(1, TableBatch.FailedIndex(results[1]));
    }

    [Fact]
    public void ParseResponse_of_a_failure_without_JSON_body_has_no_code_or_index()
    {
        var failure = Assert.Single(TableBatch.ParseResponse(Batch(FailurePart("500 Internal Server Error", ""))));

        Assert.Equal(500, failure.Status);
        Assert.Null(failure.ErrorCode);
        Assert.Null(failure.ErrorMessage);
        Assert.Null(TableBatch.FailedIndex(failure));
    }

    private static List<TableTransactionAction> AllActionTypes() =>
        Enum.GetValues<TableTransactionActionType>()
            .Select((type, i) => new TableTransactionAction(type, new TableEntity("p", $"r{i}") { ["V"] = i }))
            .ToList();

    // The inner HTTP request of the only changeset part: from its request line to the closing boundary.
    private static string SinglePart(TableTransactionAction action)
    {
        var body = Encoding.UTF8.GetString(TableBatch.BuildBody(TableUrl, [action], "batch_b", "changeset_c"));
        const string head = "--changeset_c\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n";
        var start = body.IndexOf(head, StringComparison.Ordinal);
        Assert.True(start >= 0, body);
        var end = body.IndexOf("--changeset_c--", StringComparison.Ordinal);
        return body[(start + head.Length)..end];
    }

    private static int Count(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
            count++;
        return count;
    }
}
