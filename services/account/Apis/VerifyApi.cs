using ElasticRedPacket.Account.Services;
using ElasticRedPacket.Account.Telemetry;

namespace ElasticRedPacket.Account.Apis;

/// <summary>Service-to-service: redpacket asks before every grab. Not routed by the public ingress.</summary>
public static class VerifyApi
{
    /// <summary>Most items in one batch call (redpacket's Grab:VerifyBatchSize stays below it).</summary>
    public const int MaxBatchItems = 1024;

    /// <summary>Wire names of <see cref="VerifyDecision"/>, by value.</summary>
    internal static readonly string[] Decisions = ["allowed", "unauthorized", "rate_limited", "shed"];

    public static IEndpointRouteBuilder MapVerifyApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/internal/verify", VerifyAsync);
        app.MapPost("/internal/verify/batch", VerifyBatchAsync);
        return app;
    }

    public static async Task<Results<Ok<VerifyResponse>, ProblemHttpResult>> VerifyAsync(VerifyRequest? request, VerifyService verifier, VerifyMetrics metrics, CancellationToken cancellationToken)
    {
        if (request is null || request.CampaignId < 0)
        {
            return Problems.Invalid("token and a non-negative campaignId are required.");
        }
        var verification = await verifier.VerifyAsync(request.Token, cancellationToken);
        metrics.Verified(new ReadOnlySpan<Verification>(in verification));
        return TypedResults.Ok(ToResponse(verification));
    }

    public static async Task<Results<Ok<VerifyBatchResponse>, ProblemHttpResult>> VerifyBatchAsync(VerifyBatchRequest? request, VerifyService verifier, VerifyMetrics metrics, CancellationToken cancellationToken)
    {
        if (request?.Items is not { Count: > 0 and <= MaxBatchItems } items)
        {
            return Problems.Invalid($"items must hold 1 to {MaxBatchItems} verify requests.");
        }
        var tokens = new string?[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not { CampaignId: >= 0 } item)
            {
                return Problems.Invalid($"items[{i}]: token and a non-negative campaignId are required.");
            }
            tokens[i] = item.Token;
        }
        var verifications = await verifier.VerifyAsync(tokens, cancellationToken);
        metrics.Verified(verifications);
        var results = new VerifyResponse[verifications.Length];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = ToResponse(verifications[i]);
        }
        return TypedResults.Ok(new VerifyBatchResponse(results));
    }

    private static VerifyResponse ToResponse(Verification result) =>
        new(Decisions[(int)result.Decision], result.UserId, result.RetryAfterSeconds);
}
