using Azure.Identity;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;

namespace IndicatorFunctions.Hosting;

/// <summary>
/// Telemetry to Application Insights under the Functions host, when the app has a connection string for it. With
/// <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> (<c>Authorization=AAD;ClientId=…</c>, as the host reads it) the
/// worker authenticates with that managed identity too, so a component with local authentication off accepts it.
/// </summary>
public static class Telemetry
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    public static void AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        if (string.IsNullOrEmpty(configuration[ConnectionStringSetting]))
            return;
        services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();
        if (ParseAuthentication(configuration[AuthenticationSetting]) is { } identity)
        {
            var credential = new ManagedIdentityCredential(identity.ClientId is { } clientId
                ? ManagedIdentityId.FromUserAssignedClientId(clientId)
                : ManagedIdentityId.SystemAssigned);
            services.Configure<TelemetryConfiguration>(c => c.SetAzureTokenCredential(credential));
        }
    }

    /// <summary>The identity an authentication string names; null when it asks for none (empty, or not <c>Authorization=AAD</c>).</summary>
    public static EntraAuthentication? ParseAuthentication(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        var parts = value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2, StringSplitOptions.TrimEntries))
            .Where(kv => kv.Length == 2)
            .GroupBy(kv => kv[0], StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Last()[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var authorization) || !authorization.Equals("AAD", StringComparison.OrdinalIgnoreCase))
            return null;
        return new EntraAuthentication(parts.TryGetValue("ClientId", out var id) && id.Length > 0 ? id : null);
    }

    /// <summary>Entra ID authentication for telemetry: a user-assigned identity's client id, or null for the system-assigned one.</summary>
    public sealed record EntraAuthentication(string? ClientId);
}
