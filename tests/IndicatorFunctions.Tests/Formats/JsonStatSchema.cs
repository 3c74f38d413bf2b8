using System.Text.Json;
using Json.Schema;

namespace IndicatorFunctions.Tests.Formats;

/// <summary>
/// The official JSON-stat 2.0 dataset schema (<c>jsonstat-2.0-dataset.schema.json</c>, embedded; source and licence
/// in the NOTICE beside it), evaluated with JsonSchema.Net with format validation on (<c>updated</c> is a
/// <c>date-time</c>).
/// </summary>
public static class JsonStatSchema
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
    {
        using var stream = typeof(JsonStatSchema).Assembly.GetManifestResourceStream("jsonstat-2.0-dataset.schema.json")
            ?? throw new InvalidOperationException("the JSON-stat schema is not embedded");
        return JsonSchema.FromText(new StreamReader(stream).ReadToEnd());
    });

    /// <summary>The schema's errors for this document, as "location: message" lines; empty when it is valid.</summary>
    public static IReadOnlyList<string> Errors(JsonElement document)
    {
        var results = Schema.Value.Evaluate(document, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (results.IsValid)
            return [];
        var errors = (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key} {e.Value}")).ToList();
        return errors.Count > 0 ? errors : ["invalid (no details)"];
    }

    public static void AssertValid(JsonElement document)
    {
        var errors = Errors(document);
        Assert.True(errors.Count == 0, $"not a valid JSON-stat 2.0 dataset:\n{string.Join("\n", errors)}\n{document}");
    }
}
