using ElasticRedPacket.RedPacket.Apis;
using ElasticRedPacket.RedPacket.Data;
using ElasticRedPacket.RedPacket.Messaging;
using ElasticRedPacket.ServiceDefaults.Health;
using ElasticRedPacket.ServiceDefaults.Messaging;
using Npgsql;

namespace ElasticRedPacket.RedPacket.Features;

/// <summary>An answer and its HTTP status; Response is null when the campaign does not exist.</summary>
public readonly record struct GrabAnswer(GrabOutcome Outcome, GrabResponse? Response);

/// <summary>
/// One grab: verify with account, answer from the campaign's state when it has not started or is
/// sold out, otherwise take a packet from this replica's buffer and commit the claim before saying won.
/// </summary>
public sealed partial class GrabService(
    VerifyBatcher account,
    CampaignStateCache states,
    ConsumerRegistry consumers,
    ClaimBatcher claims,
    WinnerLookup winners,
    DrainState drain,
    TimeProvider time,
    IOptions<GrabOptions> options,
    ILogger<GrabService> logger)
{
    private const int MaxPacketsPerGrab = 8;
    /// <summary>While a grab waits on an empty buffer, how often the campaign's state is read to see whether it sold out.</summary>
    private static readonly TimeSpan SoldOutCheckEvery = TimeSpan.FromMilliseconds(10);
    private readonly TimeSpan _bufferWait = TimeSpan.FromMilliseconds(options.Value.BufferWaitMilliseconds);
    private int _inFlight;

    public int InFlight => Volatile.Read(ref _inFlight);

    public async Task<GrabAnswer> GrabAsync(string token, long campaignId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            return await GrabCoreAsync(token, campaignId, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task<GrabAnswer> GrabCoreAsync(string token, long campaignId, CancellationToken cancellationToken)
    {
        if (drain.IsDraining)
        {
            return Answer(GrabOutcome.Shed, campaignId, retryAfter: 1, reason: "draining");
        }
        CampaignState state;
        try
        {
            state = await states.GetAsync(campaignId, cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            LogStateUnavailable(logger, campaignId, ex.Message);
            return Answer(GrabOutcome.Shed, campaignId, retryAfter: 1, reason: "ledger_unavailable");
        }
        if (!state.Exists)
        {
            return new GrabAnswer(GrabOutcome.Invalid, null);
        }

        var verification = await account.VerifyAsync(token, campaignId);
        var verifiedBy = verification.VerifiedBy;
        switch (verification.Decision)
        {
            case VerifyDecision.Unauthorized:
                return Answer(GrabOutcome.Unauthorized, campaignId, verifiedBy: verifiedBy);
            case VerifyDecision.RateLimited:
                return Answer(GrabOutcome.RateLimited, campaignId, retryAfter: Math.Max(1, verification.RetryAfterSeconds), verifiedBy: verifiedBy);
            case VerifyDecision.Shed:
                return Answer(GrabOutcome.Shed, campaignId, retryAfter: Math.Max(1, verification.RetryAfterSeconds), verifiedBy: verifiedBy,
                    reason: verifiedBy == "none" ? "account_unavailable" : "admission");
        }
        var userId = verification.UserId;

        if (time.GetUtcNow() < state.StartsAt)
        {
            return Answer(GrabOutcome.NotStarted, campaignId, startsAt: state.StartsAt, retryAfter: SecondsUntil(state.StartsAt), verifiedBy: verifiedBy);
        }
        if (state.SoldOut)
        {
            return await SoldOutUnlessWonAsync(state, campaignId, userId, consumers.Find(campaignId), verifiedBy);
        }

        CampaignConsumer consumer;
        try
        {
            consumer = await consumers.GetAsync(campaignId, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogConsumerUnavailable(logger, campaignId, ex.Message);
            return Answer(GrabOutcome.Shed, campaignId, retryAfter: 1, verifiedBy: verifiedBy, reason: "queue_unavailable");
        }
        if (consumer.Winners.TryGetValue(userId, out var wonBefore))
        {
            return Answer(GrabOutcome.AlreadyWon, campaignId, amount: wonBefore, verifiedBy: verifiedBy);
        }

        for (var i = 0; i < MaxPacketsPerGrab; i++)
        {
            var taken = await TakeUnlessSoldOutAsync(consumer, consumer.AwaitingFirstFill ? CampaignConsumer.FirstFillWait : _bufferWait, cancellationToken);
            if (taken is not { } delivery)
            {
                break;
            }
            var packet = delivery.Packet;
            var claim = await claims.ClaimAsync(packet.PacketId, campaignId, userId, packet.AmountCents, CancellationToken.None);
            switch (claim.Result)
            {
                case ClaimResult.Won:
                    consumer.Ack(delivery);
                    consumer.Winners[userId] = packet.AmountCents;
                    return Answer(GrabOutcome.Won, campaignId, packet.PacketId, packet.AmountCents, verifiedBy: verifiedBy);
                case ClaimResult.AlreadyWon:
                    await consumer.ReturnAsync(delivery);
                    consumer.Winners[userId] = claim.AmountCents;
                    return Answer(GrabOutcome.AlreadyWon, campaignId, amount: claim.AmountCents, verifiedBy: verifiedBy);
                case ClaimResult.PacketTaken:
                    // A duplicate delivery of a packet already in the ledger: it leaves the queue, the next one serves.
                    consumer.Ack(delivery);
                    if (claim.SameUser)
                    {
                        consumer.Winners[userId] = claim.AmountCents;
                        return Answer(GrabOutcome.AlreadyWon, campaignId, amount: claim.AmountCents, verifiedBy: verifiedBy);
                    }
                    continue;
                case ClaimResult.UnknownPacket:
                    await consumer.DeadLetterAsync(delivery);
                    continue;
                default:
                    // Nothing committed: the packet stays in this replica's buffer for the next grab. A nack would
                    // requeue it, and during a ledger outage under load its redeliveries would pass the queue's
                    // x-delivery-limit and dead-letter a healthy packet. Stopping the consumer gives it back.
                    await consumer.ReturnAsync(delivery);
                    return Answer(GrabOutcome.Shed, campaignId, retryAfter: 1, verifiedBy: verifiedBy, reason: "ledger_unavailable");
            }
        }

        // This replica's buffer stayed empty (the packets may sit in another replica's buffer). Sold out only
        // if the ledger says every released packet is claimed and no batch is due.
        try
        {
            state = await SellOutStateAsync(campaignId, cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            LogStateUnavailable(logger, campaignId, ex.Message);
        }
        if (state.SoldOut)
        {
            return await SoldOutUnlessWonAsync(state, campaignId, userId, consumer, verifiedBy);
        }
        // A user who won through another replica hears already_won, not try_again: this replica's Winners cannot know.
        try
        {
            if (await winners.FindAmountAsync(campaignId, userId) is { } earlier)
            {
                consumer.Winners[userId] = earlier;
                return Answer(GrabOutcome.AlreadyWon, campaignId, amount: earlier, verifiedBy: verifiedBy);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            LogStateUnavailable(logger, campaignId, ex.Message);
        }
        var retry = state.NextReleaseAt is { } next && !state.AllReleased && next > time.GetUtcNow() && state.Claimed >= state.ReleasedPackets
            ? SecondsUntil(next)
            : 1;
        return Answer(GrabOutcome.TryAgain, campaignId, nextReleaseAt: state.AllReleased ? null : state.NextReleaseAt, retryAfter: retry, verifiedBy: verifiedBy);
    }

    /// <summary>
    /// The next packet of this replica's buffer, waiting up to <paramref name="wait"/> for one; null when none came or the
    /// campaign sold out meanwhile. An empty buffer means either that the packets in flight hold all of the prefetch (one
    /// arrives as soon as a claim commits) or that the queue is empty. So while grabs wait, one of them reads the state every
    /// <see cref="SoldOutCheckEvery"/> (claim_counts makes it cheap), and at a sell-out the crowd hears sold_out once the
    /// last claims commit instead of after the whole wait (docs/performance.md, session 9).
    /// </summary>
    private ValueTask<Delivery?> TakeUnlessSoldOutAsync(CampaignConsumer consumer, TimeSpan wait, CancellationToken cancellationToken)
    {
        var take = consumer.TakeAsync(wait, cancellationToken);
        if (!take.IsCompleted && consumer.TryStartSoldOutWatch())
        {
            _ = WatchForSoldOutAsync(consumer);
        }
        return take;
    }

    /// <summary>
    /// The state for "is it sold out?": read afresh (at most <see cref="SoldOutCheckEvery"/> old) once the last batch is out,
    /// the cached one before that. Between releases the grabs waiting for the next batch would otherwise cost a read every
    /// 10 ms per replica, for an answer only the last batch can change.
    /// </summary>
    private async ValueTask<CampaignState> SellOutStateAsync(long campaignId, CancellationToken cancellationToken)
    {
        var state = await states.GetAsync(campaignId, cancellationToken);
        return state.SoldOut || !state.AllReleased ? state : await states.GetFreshAsync(campaignId, SoldOutCheckEvery, cancellationToken);
    }

    private async Task WatchForSoldOutAsync(CampaignConsumer consumer)
    {
        try
        {
            while (consumer.Waiting > 0)
            {
                await Task.Delay(SoldOutCheckEvery);
                try
                {
                    if ((await SellOutStateAsync(consumer.CampaignId, CancellationToken.None)).SoldOut)
                    {
                        consumer.SoldOut();
                        return;
                    }
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
                {
                    // The ledger cannot say: the grabs wait for a packet as before.
                }
            }
        }
        finally
        {
            consumer.EndSoldOutWatch();
        }
    }

    /// <summary>
    /// The campaign is sold out, but a winner hears already_won with the amount: this replica's winners
    /// first, then the campaign's final winners (in memory once loaded; the batched ledger query until then). When the ledger cannot
    /// say, the grab is shed (try again shortly) rather than telling a possible winner sold_out.
    /// </summary>
    private async ValueTask<GrabAnswer> SoldOutUnlessWonAsync(CampaignState state, long campaignId, long userId, CampaignConsumer? consumer, string verifiedBy)
    {
        if (consumer is not null && consumer.Winners.TryGetValue(userId, out var amount))
        {
            return Answer(GrabOutcome.AlreadyWon, campaignId, amount: amount, verifiedBy: verifiedBy);
        }
        int? earlier;
        try
        {
            earlier = await (state.LedgerFinal
                ? winners.FindFinalAmountAsync(campaignId, userId, state.Claimed)
                : winners.FindAmountAsync(campaignId, userId));
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            LogStateUnavailable(logger, campaignId, ex.Message);
            return Answer(GrabOutcome.Shed, campaignId, retryAfter: 1, verifiedBy: verifiedBy, reason: "ledger_unavailable");
        }
        if (earlier is not { } won)
        {
            return Answer(GrabOutcome.SoldOut, campaignId, verifiedBy: verifiedBy);
        }
        if (consumer is not null)
        {
            consumer.Winners[userId] = won;
        }
        return Answer(GrabOutcome.AlreadyWon, campaignId, amount: won, verifiedBy: verifiedBy);
    }

    private int SecondsUntil(DateTimeOffset at) => (int)Math.Clamp(Math.Ceiling((at - time.GetUtcNow()).TotalSeconds), 1, 3600);

    private static GrabAnswer Answer(GrabOutcome outcome, long campaignId, long? packetId = null, int? amount = null, DateTimeOffset? startsAt = null,
        DateTimeOffset? nextReleaseAt = null, int? retryAfter = null, string? verifiedBy = null, string? reason = null) =>
        new(outcome, new GrabResponse(outcome.Name(), campaignId, packetId, amount, startsAt, nextReleaseAt, retryAfter, verifiedBy, reason));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Campaign {CampaignId}: state not readable ({Reason}); answering from what is known")]
    private static partial void LogStateUnavailable(ILogger logger, long campaignId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Campaign {CampaignId}: consumer not available ({Reason}); grab shed")]
    private static partial void LogConsumerUnavailable(ILogger logger, long campaignId, string reason);
}
