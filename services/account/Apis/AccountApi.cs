using ElasticRedPacket.Account.Data;
using ElasticRedPacket.Account.Services;
using ElasticRedPacket.ServiceDefaults.Auth;

namespace ElasticRedPacket.Account.Apis;

/// <summary>Public account endpoints: demo login by id, and the operator's user administration.</summary>
public static class AccountApi
{
    public const int MaxBulkCount = 1_000_000;

    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/accounts");
        api.MapPost("/login", LoginAsync);

        var users = api.MapGroup("/users").RequireOperatorKey();
        users.MapPost("/bulk", BulkCreateAsync);
        users.MapPost("/{userId:long}/block", (long userId, UserStore store, BlockedUsers blocked, CancellationToken ct) => SetStatusAsync(userId, "blocked", store, blocked, ct));
        users.MapPost("/{userId:long}/unblock", (long userId, UserStore store, BlockedUsers blocked, CancellationToken ct) => SetStatusAsync(userId, "active", store, blocked, ct));

        var admission = api.MapGroup("/admission").RequireOperatorKey();
        admission.MapGet("/", (AdmissionControl control) => TypedResults.Ok(new AdmissionResponse(control.ShedRatio)));
        admission.MapPut("/", SetAdmissionAsync);
        return app;
    }

    public static async Task<Results<Ok<LoginResponse>, NotFound<ProblemDetails>, ProblemHttpResult>> LoginAsync(
        LoginRequest? request, UserStore store, TokenSigner signer, TimeProvider time, IOptions<AuthOptions> options, CancellationToken cancellationToken)
    {
        if (request is null || request.UserId <= 0)
        {
            return Problems.Invalid("userId must be a positive integer.");
        }
        var user = await store.FindAsync(request.UserId, cancellationToken);
        if (user is null)
        {
            return TypedResults.NotFound(Problems.Details(StatusCodes.Status404NotFound, "User not found", $"There is no user {request.UserId}."));
        }
        if (user.Status != "active")
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "User blocked", detail: $"User {request.UserId} is blocked.");
        }
        var expiresAt = time.GetUtcNow().AddSeconds(options.Value.TokenLifetimeSeconds);
        return TypedResults.Ok(new LoginResponse(signer.Issue(user.Id, expiresAt), user.Id, user.DisplayName, expiresAt));
    }

    public static async Task<Results<Ok<BulkCreateResponse>, ProblemHttpResult>> BulkCreateAsync(BulkCreateRequest? request, UserStore store, CancellationToken cancellationToken)
    {
        if (request is null || request.FirstId <= 0 || request.Count is <= 0 or > MaxBulkCount || request.FirstId > long.MaxValue - request.Count)
        {
            return Problems.Invalid($"firstId must be positive and count between 1 and {MaxBulkCount}.");
        }
        var prefix = string.IsNullOrWhiteSpace(request.NamePrefix) ? "user-" : request.NamePrefix.Trim();
        if (prefix.Length > 64)
        {
            return Problems.Invalid("namePrefix must be at most 64 characters.");
        }
        var created = await store.CreateRangeAsync(request.FirstId, request.Count, prefix, cancellationToken);
        return TypedResults.Ok(new BulkCreateResponse(request.FirstId, request.Count, created));
    }

    private static async Task<Results<Ok<UserStatusResponse>, NotFound<ProblemDetails>>> SetStatusAsync(long userId, string status, UserStore store, BlockedUsers blocked, CancellationToken cancellationToken)
    {
        if (!await store.SetStatusAsync(userId, status, cancellationToken))
        {
            return TypedResults.NotFound(Problems.Details(StatusCodes.Status404NotFound, "User not found", $"There is no user {userId}."));
        }
        blocked.Set(userId, status == "blocked");
        return TypedResults.Ok(new UserStatusResponse(userId, status));
    }

    private static async Task<Results<Ok<AdmissionResponse>, ProblemHttpResult>> SetAdmissionAsync(AdmissionRequest? request, AdmissionControl control)
    {
        if (request is null || !double.IsFinite(request.ShedRatio) || request.ShedRatio is < 0 or > 1)
        {
            return Problems.Invalid("shedRatio must be between 0 and 1.");
        }
        await control.SetAsync(request.ShedRatio);
        return TypedResults.Ok(new AdmissionResponse(request.ShedRatio));
    }
}
