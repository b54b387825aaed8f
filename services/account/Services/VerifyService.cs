using ElasticRedPacket.ServiceDefaults.Auth;
using StackExchange.Redis;

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
/// Grab attempts' admission, cheapest check first: the token (CPU only), the admission ratio and
/// the block list (memory), the per-user rate limit (Redis, one script call for the whole batch).
/// </summary>
public sealed class VerifyService(TokenSigner signer, AdmissionControl admission, BlockedUsers blocked, RateLimiter rateLimiter)
{
    public async Task<Verification> VerifyAsync(string? token, CancellationToken cancellationToken) =>
        (await VerifyAsync([token], cancellationToken))[0];

    /// <summary>One verification per token, in the same order.</summary>
    public async Task<Verification[]> VerifyAsync(IReadOnlyList<string?> tokens, CancellationToken cancellationToken)
    {
        var results = new Verification[tokens.Count];
        var limited = new List<int>(tokens.Count);
        for (var i = 0; i < tokens.Count; i++)
        {
            if (!signer.TryValidate(tokens[i], out var userId))
            {
                results[i] = new Verification(VerifyDecision.Unauthorized, 0, 0);
            }
            else if (admission.ShouldShed())
            {
                results[i] = new Verification(VerifyDecision.Shed, userId, 1);
            }
            else if (blocked.IsBlocked(userId))
            {
                results[i] = new Verification(VerifyDecision.Unauthorized, userId, 0);
            }
            else
            {
                results[i] = new Verification(VerifyDecision.Allowed, userId, 0);
                limited.Add(i);
            }
        }
        if (limited.Count == 0)
        {
            return results;
        }

        var keys = new RedisKey[limited.Count];
        var waits = new int[limited.Count];
        for (var k = 0; k < limited.Count; k++)
        {
            keys[k] = RateLimiter.KeyFor(results[limited[k]].UserId);
        }
        await rateLimiter.TryAcquireAsync(keys, waits);
        for (var k = 0; k < limited.Count; k++)
        {
            if (waits[k] > 0)
            {
                results[limited[k]] = results[limited[k]] with { Decision = VerifyDecision.RateLimited, RetryAfterSeconds = waits[k] };
            }
        }
        return results;
    }
}
