using System.Text.Json;
using IndicatorFunctions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IndicatorFunctions.Tests.App;

/// <summary>A request the server refuses while the app reads it is answered with its own status as a problem, not a 500.</summary>
public sealed class BadRequestsTests
{
    [Theory]
    [InlineData(StatusCodes.Status413PayloadTooLarge, "Request body too large. The max request body size is 30000000 bytes.")]
    [InlineData(StatusCodes.Status400BadRequest, "Unexpected end of request content.")]
    [InlineData(StatusCodes.Status408RequestTimeout, "Reading the request body timed out due to data arriving too slowly.")]
    public async Task A_refused_request_thrown_while_reading_becomes_a_problem_with_its_status(int status, string message)
    {
        var context = NewContext();

        await BadRequests.LocalMiddleware(context, _ => throw new BadHttpRequestException(message, status));

        Assert.Equal(status, context.Response.StatusCode);
        Assert.Equal("application/problem+json", context.Response.ContentType);
        context.Response.Body.Position = 0;
        using var problem = await JsonDocument.ParseAsync(context.Response.Body);
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(message, problem.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Other_exceptions_are_left_to_the_handlers_after_it()
    {
        var context = NewContext();

        await Assert.ThrowsAsync<InvalidOperationException>(() => BadRequests.LocalMiddleware(context, _ => throw new InvalidOperationException("bug")));
    }

    private static DefaultHttpContext NewContext()
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        return new DefaultHttpContext { RequestServices = services, Response = { Body = new MemoryStream() } };
    }
}
