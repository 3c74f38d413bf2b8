using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace IndicatorFunctions.Hosting;

/// <summary>
/// Whether a request carries the <c>AdminApiKey</c> as <c>x-functions-key</c> or <c>?code=</c>. Local mode's gate for
/// <c>Function</c>-level routes, and how anonymous routes decide to show details (under the Functions host too,
/// where the worker cannot see the host's function keys and compares with the setting instead).
/// </summary>
public static class AdminKey
{
    /// <summary>False when no key is set: an unset key opens nothing.</summary>
    public static bool IsPresented(HttpRequest request) =>
        Matches(request, request.HttpContext.RequestServices.GetRequiredService<IOptions<AppOptions>>().Value.AdminApiKey);

    public static bool Matches(HttpRequest request, string? expected)
    {
        var given = request.Headers["x-functions-key"].FirstOrDefault() ?? request.Query["code"].FirstOrDefault();
        return !string.IsNullOrEmpty(expected) && given is not null &&
               CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
    }
}
