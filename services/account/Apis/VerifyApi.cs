using ElasticRedPacket.Account.Services;

namespace ElasticRedPacket.Account.Apis;

/// <summary>Service-to-service: redpacket asks before every grab. Not routed by the public ingress.</summary>
public static class VerifyApi
{
    private static readonly string[] Decisions = ["allowed", "unauthorized", "rate_limited", "shed"];

    public static IEndpointRouteBuilder MapVerifyApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/internal/verify", VerifyAsync);
        return app;
    }

    public static async Task<Results<Ok<VerifyResponse>, ProblemHttpResult>> VerifyAsync(VerifyRequest? request, VerifyService verifier, CancellationToken cancellationToken)
    {
        if (request is null || request.CampaignId < 0)
        {
            return Problems.Invalid("token and a non-negative campaignId are required.");
        }
        var result = await verifier.VerifyAsync(request.Token, cancellationToken);
        return TypedResults.Ok(new VerifyResponse(Decisions[(int)result.Decision], result.UserId, result.RetryAfterSeconds));
    }
}
