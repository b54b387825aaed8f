using ElasticRedPacket.ServiceDefaults.Auth;

namespace ElasticRedPacket.Account.Services;

public enum VerifyDecision
{
    Allowed,
    Unauthorized,
    RateLimited,
    Shed,
}

public readonly record struct Verification(VerifyDecision Decision, long UserId, int RetryAfterSeconds);

/// <summary>
/// One grab attempt's admission, cheapest check first: the token (CPU only), the admission ratio
/// (memory), the user's status (cache; database on a miss), the per-user rate limit (Redis).
/// </summary>
public sealed class VerifyService(TokenSigner signer, AdmissionControl admission, UserStatusCache users, RateLimiter rateLimiter)
{
    public async Task<Verification> VerifyAsync(string? token, CancellationToken cancellationToken)
    {
        if (!signer.TryValidate(token, out var userId))
        {
            return new Verification(VerifyDecision.Unauthorized, 0, 0);
        }
        if (admission.ShouldShed())
        {
            return new Verification(VerifyDecision.Shed, userId, 1);
        }
        if (!await users.IsActiveAsync(userId, cancellationToken))
        {
            return new Verification(VerifyDecision.Unauthorized, userId, 0);
        }
        var wait = await rateLimiter.TryAcquireAsync(userId);
        return wait > 0
            ? new Verification(VerifyDecision.RateLimited, userId, wait)
            : new Verification(VerifyDecision.Allowed, userId, 0);
    }
}
