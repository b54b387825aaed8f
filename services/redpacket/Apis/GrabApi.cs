using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using ElasticRedPacket.RedPacket.Data;
using ElasticRedPacket.RedPacket.Features;
using ElasticRedPacket.RedPacket.Messaging;
using ElasticRedPacket.RedPacket.Telemetry;
using ElasticRedPacket.ServiceDefaults.Auth;
using ElasticRedPacket.ServiceDefaults.Messaging;

namespace ElasticRedPacket.RedPacket.Apis;

/// <summary>POST /api/grab and GET /api/grab/mine. Outcome statuses: docs/api.md.</summary>
public static class GrabApi
{
    /// <summary>A grab body is about 20 bytes; anything over this is refused before it is read.</summary>
    public const int MaxBodyBytes = 4096;

    public static IEndpointRouteBuilder MapGrabApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/grab", GrabAsync);
        app.MapGet("/api/grab/mine", MineAsync);
        return app;
    }

    public static async Task<Results<SizedJsonResult<GrabResponse>, ProblemHttpResult>> GrabAsync(
        HttpContext context, GrabService grabs, OutcomeRecorder outcomes, GrabMetrics metrics, CancellationToken cancellationToken)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            await RecordAsync(outcomes, metrics, 0, GrabOutcome.Invalid);
            return Invalid($"The body must be at most {MaxBodyBytes} bytes.");
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }
        GrabRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync(context.Request.Body, GrabJsonContext.Default.GrabRequest, cancellationToken);
        }
        catch (Exception ex) when (ex is JsonException or BadHttpRequestException or NotSupportedException)
        {
            await RecordAsync(outcomes, metrics, 0, GrabOutcome.Invalid);
            return Invalid($"The body must be JSON like {{\"campaignId\":7}} ({ex.Message})");
        }
        if (request is null || request.CampaignId <= 0)
        {
            await RecordAsync(outcomes, metrics, 0, GrabOutcome.Invalid);
            return Invalid("campaignId must be a positive integer.");
        }

        var token = TokenSigner.FromAuthorizationHeader(context.Request.Headers.Authorization.ToString());
        GrabAnswer answer;
        if (token.IsEmpty)
        {
            answer = new GrabAnswer(GrabOutcome.Unauthorized, new GrabResponse(GrabOutcome.Unauthorized.Name(), request.CampaignId, Reason: "missing bearer token"));
        }
        else
        {
            answer = await grabs.GrabAsync(token.ToString(), request.CampaignId, cancellationToken);
        }

        if (answer.Response is not { } response)
        {
            await RecordAsync(outcomes, metrics, 0, GrabOutcome.Invalid);
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Campaign not found", detail: $"There is no campaign {request.CampaignId}.");
        }
        // Counted durably before it is said (guarantee 5); a won answer's claim row is its durable count.
        await RecordAsync(outcomes, metrics, request.CampaignId, answer.Outcome);
        if (response.RetryAfterSeconds is { } retryAfter && answer.Outcome is GrabOutcome.RateLimited or GrabOutcome.Shed or GrabOutcome.TryAgain or GrabOutcome.NotStarted)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }
        return new SizedJsonResult<GrabResponse>(response, GrabJsonContext.Default.GrabResponse, StatusOf(answer.Outcome));
    }

    public static async Task<Results<JsonHttpResult<ClaimResponse>, ProblemHttpResult>> MineAsync(
        HttpContext context, string? campaignId, TokenSigner signer, ClaimStore store, CancellationToken cancellationToken)
    {
        if (!long.TryParse(campaignId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
        {
            return Invalid("campaignId must be a positive integer.");
        }
        // A read of the caller's own claim: the token's signature is enough (no rate limit applies).
        if (!signer.TryValidate(TokenSigner.FromAuthorizationHeader(context.Request.Headers.Authorization.ToString()), out var userId))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "A valid bearer token is required.");
        }
        var claim = await store.FindAsync(id, userId, cancellationToken);
        return claim is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No claim", detail: $"User {userId} has no claim in campaign {id}.")
            : TypedResults.Json(claim, GrabJsonContext.Default.ClaimResponse);
    }

    /// <summary>The documented status of each outcome (docs/api.md, docs/contracts.md).</summary>
    public static int StatusOf(GrabOutcome outcome) => outcome switch
    {
        GrabOutcome.RateLimited => StatusCodes.Status429TooManyRequests,
        GrabOutcome.Unauthorized => StatusCodes.Status401Unauthorized,
        GrabOutcome.Shed => StatusCodes.Status503ServiceUnavailable,
        GrabOutcome.Invalid => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status200OK,
    };

    private static Task RecordAsync(OutcomeRecorder outcomes, GrabMetrics metrics, long campaignId, GrabOutcome outcome)
    {
        metrics.Answered(outcome);
        return outcomes.RecordAsync(campaignId, outcome);
    }

    private static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid grab request", detail: detail);
}
