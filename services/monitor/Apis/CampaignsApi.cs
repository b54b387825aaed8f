using ElasticRedPacket.Monitor.Features.Campaigns;
using ElasticRedPacket.Monitor.Security;
using ElasticRedPacket.Monitor.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ElasticRedPacket.Monitor.Apis;

/// <summary>
/// /api/campaigns. Operator endpoints (X-Operator-Key): issue, list, detail, ledger, close.
/// Public: /api/campaigns/active, the slim list the grab page polls (no user data).
/// </summary>
public static class CampaignsApi
{
    public const int MaxPageSize = 200;

    public static IEndpointRouteBuilder MapCampaignsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/campaigns/active", GetActiveAsync);

        var operators = app.MapGroup("/api/campaigns").AddEndpointFilter<OperatorKeyFilter>();
        operators.MapPost("/", IssueAsync);
        operators.MapGet("/", ListAsync);
        operators.MapGet("/{id:long}", GetAsync);
        operators.MapGet("/{id:long}/claims", GetClaimsAsync);
        operators.MapPost("/{id:long}/close", CloseAsync);
        return app;
    }

    public static async Task<Results<Created<CampaignIssued>, ValidationProblem>> IssueAsync(
        IssueCampaignRequest request, CampaignService campaigns, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = IssueValidation.Validate(request, time.GetUtcNow());
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The campaign was not issued");
        }
        var issued = await campaigns.IssueAsync(request, cancellationToken);
        return TypedResults.Created($"/api/campaigns/{issued.Id}", issued);
    }

    public static async Task<Ok<List<CampaignView>>> ListAsync(CampaignService campaigns, CancellationToken cancellationToken, int limit = 50) =>
        TypedResults.Ok(await campaigns.ListAsync(Math.Clamp(limit, 1, 200), cancellationToken));

    public static async Task<Results<Ok<CampaignView>, ProblemHttpResult>> GetAsync(long id, CampaignService campaigns, CancellationToken cancellationToken) =>
        await campaigns.GetAsync(id, cancellationToken) is { } view ? TypedResults.Ok(view) : NotFoundProblem(id);

    public static async Task<Ok<IReadOnlyList<ActiveCampaign>>> GetActiveAsync(CampaignService campaigns, HttpContext context, CancellationToken cancellationToken)
    {
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(await campaigns.ActiveAsync(cancellationToken));
    }

    public static async Task<Results<Ok<ClaimsPage>, ProblemHttpResult, ValidationProblem>> GetClaimsAsync(
        long id, CampaignStore store, CancellationToken cancellationToken, int page = 1, int pageSize = 50)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (page is < 1 or > 100_000)
        {
            errors["page"] = ["Page must be between 1 and 100000."];
        }
        if (pageSize is < 1 or > MaxPageSize)
        {
            errors["pageSize"] = [$"Page size must be between 1 and {MaxPageSize}."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (!await store.ExistsAsync(id, cancellationToken))
        {
            return NotFoundProblem(id);
        }
        return TypedResults.Ok(await store.ClaimsAsync(id, page, pageSize, cancellationToken));
    }

    /// <summary>200 when the close balanced (released = claimed + expired); 202 when packets were still unsettled at the drain budget (close again).</summary>
    public static async Task<Results<Ok<CampaignClosed>, Accepted<CampaignClosed>, ProblemHttpResult>> CloseAsync(
        long id, CampaignCloser closer, CampaignService campaigns, CancellationToken cancellationToken)
    {
        var outcome = await closer.CloseAsync(id, cancellationToken);
        switch (outcome.Result)
        {
            case CloseResult.NotFound:
                return NotFoundProblem(id);
            case CloseResult.Busy:
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "A release is in progress; try again");
        }
        var view = (await campaigns.GetAsync(id, cancellationToken))!;
        var closed = new CampaignClosed(view.Id, view.Status, view.Released, view.Claimed, view.Expired, view.Cancelled, outcome.Drained,
            view.Released - view.Claimed - view.Expired);
        return outcome.Result == CloseResult.Closed ? TypedResults.Ok(closed) : TypedResults.Accepted($"/api/campaigns/{id}", closed);
    }

    private static ProblemHttpResult NotFoundProblem(long id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Campaign not found", detail: $"No campaign {id}.");
}
