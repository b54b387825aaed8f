namespace ElasticRedPacket.RedPacket.Messaging;

/// <summary>
/// Which deliveries of one consumer channel may be acked with one frame. Every delivery tag ends
/// settled: acked once its claim is committed, or nacked. Tags come in order, so once every tag up
/// to T is settled or waiting for its ack, one "ack multiple T" (T itself waiting) settles them all:
/// a quorum queue then writes one settle command instead of one per packet. A waiting ack blocked by
/// an older delivery still held (in the buffer or by a grab) is sent alone after a short while.
/// Tags keep rising across channel recoveries (the client offsets them), so a reset needs no renumbering.
/// </summary>
public sealed class AckTracker
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<ulong, long> _waiting = []; // tag -> when its claim committed (ticks)
    private readonly HashSet<ulong> _settled = [];                // nacked or acked alone, above the floor
    private ulong _floor;                                         // every tag <= floor is settled
    private bool _started;

    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>The broker handed this tag to the consumer (in tag order).</summary>
    public void Delivered(ulong tag)
    {
        lock (_gate)
        {
            if (!_started)
            {
                _floor = tag - 1;
                _started = true;
            }
        }
    }

    /// <summary>The claim is committed: ack this tag.</summary>
    public void Commit(ulong tag, long nowTicks)
    {
        lock (_gate)
        {
            if (_started && tag > _floor)
            {
                _waiting[tag] = nowTicks;
            }
        }
    }

    /// <summary>The tag was nacked or acked by itself: nothing more to send for it.</summary>
    public void Settled(ulong tag)
    {
        lock (_gate)
        {
            if (_started && tag > _floor)
            {
                _waiting.Remove(tag);
                _settled.Add(tag);
            }
        }
    }

    /// <summary>The channel went away: the broker requeued everything unsettled.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _waiting.Clear();
            _settled.Clear();
            _started = false;
        }
    }

    /// <summary>The tag to ack with multiple=true, if the settled prefix grew past a waiting ack.</summary>
    public bool TryTakePrefix(out ulong upTo)
    {
        upTo = 0;
        lock (_gate)
        {
            while (true)
            {
                var next = _floor + 1;
                if (_waiting.Remove(next))
                {
                    upTo = next;
                }
                else if (!_settled.Remove(next))
                {
                    break;
                }
                _floor = next;
            }
        }
        return upTo != 0;
    }

    /// <summary>Waiting acks committed before <paramref name="olderThanTicks"/>: the caller acks each alone.</summary>
    public List<ulong> TakeStale(long olderThanTicks)
    {
        var stale = new List<ulong>();
        lock (_gate)
        {
            foreach (var (tag, committed) in _waiting)
            {
                if (committed < olderThanTicks)
                {
                    stale.Add(tag);
                }
            }
            foreach (var tag in stale)
            {
                _waiting.Remove(tag);
                _settled.Add(tag);
            }
        }
        return stale;
    }
}
