using System.Globalization;

namespace IndicatorFunctions.Api;

/// <summary>Query-string parameters: absent is null; present but not of the type is a 400 problem naming it.</summary>
public static class Query
{
    public static string? String(HttpRequest request, string name) =>
        request.Query.TryGetValue(name, out var values) ? values.ToString() : null;

    public static int? Int(HttpRequest request, string name, out IResult? problem)
    {
        problem = null;
        if (String(request, name) is not { } text)
            return null;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            return value;
        problem = Problems.Validation(name, $"{name} must be a whole number, not '{text}'");
        return null;
    }

    public static bool? Bool(HttpRequest request, string name, out IResult? problem)
    {
        problem = null;
        if (String(request, name) is not { } text)
            return null;
        if (bool.TryParse(text, out var value))
            return value;
        problem = Problems.Validation(name, $"{name} must be true or false, not '{text}'");
        return null;
    }
}
