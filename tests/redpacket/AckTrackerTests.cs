using ElasticRedPacket.RedPacket.Messaging;

namespace ElasticRedPacket.RedPacket.Tests;

/// <summary>Coalesced acks: "ack multiple T" only when every tag up to T is settled or committed, and T is committed.</summary>
public sealed class AckTrackerTests
{
    private readonly AckTracker _acks = new();

    private void Deliver(ulong from, ulong to)
    {
        for (var tag = from; tag <= to; tag++)
        {
            _acks.Delivered(tag);
        }
    }

    [Fact]
    public void CommittedInOrder_OneFrameAcksThemAll()
    {
        Deliver(1, 5);
        foreach (var tag in new ulong[] { 3, 1, 2 })
        {
            _acks.Commit(tag, 0);
        }
        Assert.True(_acks.TryTakePrefix(out var upTo));
        Assert.Equal(3ul, upTo);
        Assert.False(_acks.TryTakePrefix(out _)); // nothing new
        Assert.Equal(0, _acks.Waiting);
    }

    [Fact]
    public void OlderDeliveryStillHeld_NoMultipleAckPastIt()
    {
        Deliver(1, 4);
        _acks.Commit(2, 0);
        _acks.Commit(3, 0);
        Assert.False(_acks.TryTakePrefix(out _)); // tag 1 is still in a grab's hands: ack multiple 3 would ack it too
        _acks.Commit(1, 0);
        Assert.True(_acks.TryTakePrefix(out var upTo));
        Assert.Equal(3ul, upTo);
    }

    [Fact]
    public void NackedTags_AreSkippedButNeverTheTagOfTheFrame()
    {
        Deliver(1, 3);
        _acks.Commit(1, 0);
        _acks.Settled(2); // nacked: already settled at the broker, so it must not be the tag of an ack
        Assert.True(_acks.TryTakePrefix(out var upTo));
        Assert.Equal(1ul, upTo);
        _acks.Commit(3, 0);
        Assert.True(_acks.TryTakePrefix(out upTo));
        Assert.Equal(3ul, upTo); // the floor passed the nacked 2
    }

    [Fact]
    public void AckHeldBackTooLong_TakenAloneOnceAndNeverAgain()
    {
        Deliver(10, 13);
        _acks.Commit(11, 100);
        _acks.Commit(12, 300);
        Assert.Equal([11ul], _acks.TakeStale(200));
        Assert.Equal(1, _acks.Waiting);
        _acks.Commit(10, 400);
        Assert.True(_acks.TryTakePrefix(out var upTo));
        Assert.Equal(12ul, upTo); // 10 and 12 waiting, 11 already acked alone
        Assert.Empty(_acks.TakeStale(long.MaxValue));
    }

    [Fact]
    public void AfterChannelReset_OldTagsAreIgnoredAndNumberingContinues()
    {
        Deliver(1, 3);
        _acks.Commit(1, 0);
        _acks.Reset(); // the broker requeued 1-3
        _acks.Commit(2, 0); // a grab finishing with a delivery of the old channel
        Assert.False(_acks.TryTakePrefix(out _));
        Deliver(4, 5); // the recovered channel's deliveries (the client keeps tags rising)
        _acks.Commit(2, 0);
        _acks.Commit(4, 0);
        Assert.True(_acks.TryTakePrefix(out var upTo));
        Assert.Equal(4ul, upTo);
        Assert.Equal(0, _acks.Waiting);
    }
}
