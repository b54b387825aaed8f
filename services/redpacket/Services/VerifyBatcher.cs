using System.Diagnostics;
using System.Threading.Channels;
using ElasticRedPacket.RedPacket.Apis;
using ElasticRedPacket.ServiceDefaults.Auth;

namespace ElasticRedPacket.RedPacket.Services;

public enum VerifyDecision
{
    Allowed,
    Unauthorized,
    RateLimited,
    Shed,
}

/// <summary>VerifiedBy: "account", or "local" when account was unreachable and the operator allowed the local token check.</summary>
public readonly record struct Verification(VerifyDecision Decision, long UserId, int RetryAfterSeconds, string VerifiedBy);

/// <summary>
/// Verifies grabs with account in groups: the grabs that arrive while Grab:VerifyConcurrency calls are
/// in flight go out together in the next call (up to Grab:VerifyBatchSize), so under load one HTTP
/// round trip, one Redis script call and one hop through the internal ingress serve many grabs, and
/// a call waits until its oldest grab has waited Grab:VerifyGatherMilliseconds (about a millisecond at
/// moderate load, nothing under load, where grabs already waited for a slot). When account cannot answer, each
/// grab is shed or, if the operator allowed it, checked locally by its token's signature.
/// </summary>
public sealed class VerifyBatcher(AccountClient account, TokenSigner signer, IOptions<GrabOptions> options) : BackgroundService
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly GrabOptions _options = options.Value;
    private readonly TimeSpan _gather = TimeSpan.FromMilliseconds(options.Value.VerifyGatherMilliseconds);

    private sealed class Pending(string token, long campaignId)
        : TaskCompletionSource<Verification>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public VerifyRequest Request { get; } = new(token, campaignId);

        public long QueuedAt { get; } = Stopwatch.GetTimestamp();
    }

    public Task<Verification> VerifyAsync(string token, long campaignId)
    {
        var pending = new Pending(token, campaignId);
        if (!_queue.Writer.TryWrite(pending))
        {
            pending.TrySetResult(Fallback(token)); // stopping
        }
        return pending.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var slots = new SemaphoreSlim(_options.VerifyConcurrency);
        var calls = new List<Task>();
        // Not cancelled by stoppingToken: grabs already queued are verified before the process ends.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            await slots.WaitAsync(CancellationToken.None); // while every slot is busy, grabs gather for the next call
            if (_queue.Reader.TryPeek(out var oldest) && Gather.Left(_gather, oldest.QueuedAt) is { Ticks: > 0 } left)
            {
                await Task.Delay(left, CancellationToken.None);
            }
            var batch = new List<Pending>();
            while (batch.Count < _options.VerifyBatchSize && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }
            calls.RemoveAll(static call => call.IsCompleted);
            calls.Add(SendAsync(batch, slots));
        }
        await Task.WhenAll(calls);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
        if (ExecuteTask is { } running)
        {
            await running.WaitAsync(cancellationToken);
        }
    }

    private async Task SendAsync(List<Pending> batch, SemaphoreSlim slots)
    {
        try
        {
            var requests = new VerifyRequest[batch.Count];
            for (var i = 0; i < batch.Count; i++)
            {
                requests[i] = batch[i].Request;
            }
            var results = await account.VerifyAsync(new VerifyBatchRequest(requests), CancellationToken.None);
            for (var i = 0; i < batch.Count; i++)
            {
                var result = results[i];
                batch[i].TrySetResult(new Verification(Parse(result.Decision), result.UserId, result.RetryAfterSeconds, "account"));
            }
        }
        catch (Exception)
        {
            foreach (var pending in batch)
            {
                pending.TrySetResult(Fallback(pending.Request.Token));
            }
        }
        finally
        {
            slots.Release();
        }
    }

    private Verification Fallback(string token)
    {
        if (!_options.DegradeToLocalTokenCheck)
        {
            return new Verification(VerifyDecision.Shed, 0, _options.BreakerBreakSeconds, "none");
        }
        return signer.TryValidate(token, out var userId)
            ? new Verification(VerifyDecision.Allowed, userId, 0, "local")
            : new Verification(VerifyDecision.Unauthorized, 0, 0, "local");
    }

    private static VerifyDecision Parse(string? decision) => decision switch
    {
        "allowed" => VerifyDecision.Allowed,
        "rate_limited" => VerifyDecision.RateLimited,
        "shed" => VerifyDecision.Shed,
        _ => VerifyDecision.Unauthorized,
    };
}
