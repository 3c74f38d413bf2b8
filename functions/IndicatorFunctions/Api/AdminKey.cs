using System.Security.Cryptography;
using System.Text;
using IndicatorFunctions.Hosting;

namespace IndicatorFunctions.Api;

/// <summary>
/// Writes need a key. Under the Functions host the host checks function keys before forwarding (authLevel
/// function). Standalone, this filter checks <c>x-functions-key</c> or <c>?code=</c> against <c>AdminApiKey</c>;
/// without that setting the app only listens on loopback (see <see cref="FunctionAppConfiguration"/>).
/// </summary>
public sealed class AdminKeyFilter(IConfiguration configuration) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var expected = configuration[FunctionAppConfiguration.AdminApiKeySetting];
        if (FunctionAppConfiguration.UnderFunctionsHost(configuration) || string.IsNullOrEmpty(expected))
            return await next(context);
        var request = context.HttpContext.Request;
        var given = request.Headers["x-functions-key"].FirstOrDefault() ?? request.Query["code"].FirstOrDefault();
        if (given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected)))
            return await next(context);
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "A key is required.",
            detail: "Send the admin key in the x-functions-key header (or ?code=).");
    }
}

public static class AdminKeyExtensions
{
    public static TBuilder RequireAdminKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder, AdminKeyFilter>();
}
