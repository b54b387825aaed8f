using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using ElasticRedPacket.ServiceDefaults.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ElasticRedPacket.RedPacket.Messaging;

/// <summary>A packet handed to this replica and not yet acked. Generation: the channel incarnation its tag belongs to.</summary>
public readonly record struct Delivery(ulong Tag, int Generation, PacketMessage Packet);

/// <summary>
/// One campaign's long-lived consumer: RabbitMQ pushes at most Grab:Prefetch unacked packets into a
/// bounded in-process buffer; grabs take them from there. A delivery is acked only after its claim
/// row is committed. When the channel shuts down (broker restart, connection loss) the broker requeues
/// every unacked packet, so buffered deliveries of that channel incarnation are dropped here and
/// their tags are never acked on the recovered channel. Acks are coalesced (<see cref="AckTracker"/>):
/// a grab hands its committed tag over and answers; one loop sends "ack multiple" frames.
/// </summary>
public sealed partial class CampaignConsumer : IAsyncDisposable
{
    /// <summary>An ack held back by an older unsettled delivery is sent alone after this long.</summary>
    private static readonly TimeSpan StaleAck = TimeSpan.FromMilliseconds(20);
    private readonly Channel<Delivery> _buffer;
    private readonly AckTracker _acks = new();
    private readonly Channel<bool> _ackSignal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private Task _ackLoop = Task.CompletedTask;
    private bool _awaitingFirstFill;
    private long _startedTicks;
    private readonly IChannel _channel;
    private readonly ILogger _logger;
    private int _generation;
    private long _lastUsedTicks;
    private string? _consumerTag;
    private Func<bool> _connectionOpen = static () => false;
    private CancellationToken _connectionReplaced;
    private bool _closedAlone;
    private readonly CancellationTokenSource _soldOut = new(); // never disposed: grabs may still link to it while the consumer stops (no timer inside)
    private int _waiting;
    private int _soldOutWatch;

    private CampaignConsumer(long campaignId, IChannel channel, int prefetch, ILogger logger)
    {
        CampaignId = campaignId;
        _channel = channel;
        _logger = logger;
        // Unacked deliveries never exceed the prefetch, so the buffer never refuses one of the current channel.
        _buffer = Channel.CreateBounded<Delivery>(new BoundedChannelOptions(prefetch * 2) { FullMode = BoundedChannelFullMode.Wait });
    }

    public long CampaignId { get; }

    /// <summary>Users this replica saw win in this campaign (saves a packet round trip for repeat grabs).</summary>
    public ConcurrentDictionary<long, int> Winners { get; } = new();

    public long LastUsedTicks => Volatile.Read(ref _lastUsedTicks);

    public int Buffered => _buffer.Reader.Count;

    /// <summary>
    /// Just started on a queue that held packets and none has arrived yet: a grab should wait for the
    /// first deliveries (up to <see cref="FirstFillWait"/>) rather than answer try_again while they are on their way.
    /// </summary>
    public bool AwaitingFirstFill => Volatile.Read(ref _awaitingFirstFill) && DateTime.UtcNow.Ticks - _startedTicks < FirstFillWait.Ticks;

    public static readonly TimeSpan FirstFillWait = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The broker closed this channel alone (a channel error) and the connection is up: automatic
    /// recovery will not reopen it. A channel that closed with its connection (broker restart, network)
    /// is not broken: the client library recovers it and its consumer once the connection is back, and
    /// a replacement opened meanwhile left a recovered consumer holding Grab:Prefetch packets unacked
    /// in a buffer no grab reads (found by bench/chaos.sh: a RabbitMQ restart mid-load stranded 94 packets).
    /// A consumer whose connection was replaced (its recovery never ran: RabbitMqConnection.ReplaceIfStuckAsync) is broken too.
    /// </summary>
    public bool IsBroken => _connectionReplaced.IsCancellationRequested || (!_channel.IsOpen && Volatile.Read(ref _closedAlone) && _connectionOpen());

    /// <param name="connectionReplaced">Fires when <paramref name="connection"/> is replaced (RabbitMqConnection.ReplacedToken).</param>
    public static async Task<CampaignConsumer> StartAsync(long campaignId, IConnection connection, int prefetch, ILogger logger, CancellationToken cancellationToken,
        CancellationToken connectionReplaced = default)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            var queue = Topology.PacketQueue(campaignId);
            var declared = await Topology.DeclarePacketQueueAsync(channel, campaignId, cancellationToken);
            await channel.BasicQosAsync(0, (ushort)prefetch, global: false, cancellationToken);
            var consumer = new CampaignConsumer(campaignId, channel, prefetch, logger) { _connectionOpen = () => connection.IsOpen, _connectionReplaced = connectionReplaced };
            consumer._ackLoop = consumer.AckLoopAsync();
            consumer._awaitingFirstFill = declared.MessageCount > 0;
            consumer._startedTicks = DateTime.UtcNow.Ticks;
            channel.ChannelShutdownAsync += consumer.OnChannelShutdownAsync;
            var basic = new AsyncEventingBasicConsumer(channel);
            basic.ReceivedAsync += consumer.OnReceivedAsync;
            consumer._consumerTag = await channel.BasicConsumeAsync(queue, autoAck: false, basic, cancellationToken);
            consumer.Touch();
            return consumer;
        }
        catch
        {
            await channel.DisposeAsync();
            throw;
        }
    }

    public void Touch() => Volatile.Write(ref _lastUsedTicks, DateTime.UtcNow.Ticks);

    /// <summary>Grabs waiting for a packet on the empty buffer.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>
    /// Claims the watch for a sell-out while grabs wait (true for one caller at a time, until <see cref="EndSoldOutWatch"/>):
    /// one loop reads the campaign's state for all of them instead of each waiter on its own timer.
    /// </summary>
    public bool TryStartSoldOutWatch() => Interlocked.CompareExchange(ref _soldOutWatch, 1, 0) == 0;

    public void EndSoldOutWatch() => Volatile.Write(ref _soldOutWatch, 0);

    /// <summary>The ledger says every packet is claimed: every grab waiting for one stops waiting (and any later wait ends at once).</summary>
    public void SoldOut() => _soldOut.Cancel();

    /// <summary>The next buffered packet, or null when none arrives within <paramref name="wait"/> (or the campaign sold out meanwhile).</summary>
    public async ValueTask<Delivery?> TakeAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        Touch();
        while (true)
        {
            if (_buffer.Reader.TryRead(out var delivery))
            {
                if (delivery.Generation == Volatile.Read(ref _generation))
                {
                    return delivery;
                }
                continue; // the broker already requeued it with its old channel
            }
            if (wait <= TimeSpan.Zero)
            {
                return null;
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _soldOut.Token);
            timeout.CancelAfter(wait);
            Interlocked.Increment(ref _waiting);
            try
            {
                delivery = await _buffer.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            catch (ChannelClosedException)
            {
                return null;
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
            if (delivery.Generation == Volatile.Read(ref _generation))
            {
                return delivery;
            }
            wait = TimeSpan.Zero;
        }
    }

    /// <summary>The claim is committed: the packet leaves the queue (the ack loop sends it, coalesced).</summary>
    public void Ack(Delivery delivery)
    {
        if (delivery.Generation != Volatile.Read(ref _generation))
        {
            return; // requeued by the broker; its redelivery is recognised as a duplicate and acked then
        }
        _acks.Commit(delivery.Tag, DateTime.UtcNow.Ticks);
        _ackSignal.Writer.TryWrite(true);
    }

    /// <summary>
    /// The packet was not claimed (the user had won before, or the ledger failed): it serves the next grab on
    /// this replica. It stays unacked and unsettled; only stopping the consumer gives it back to the queue,
    /// so a ledger outage does not count redeliveries toward the queue's x-delivery-limit.
    /// </summary>
    public async ValueTask ReturnAsync(Delivery delivery)
    {
        if (!_buffer.Writer.TryWrite(delivery))
        {
            await NackAsync(delivery);
        }
    }

    /// <summary>The broker requeues the packet (the consumer is stopping, or the buffer refused it).</summary>
    private ValueTask NackAsync(Delivery delivery) => NackAsync(delivery, requeue: true);

    /// <summary>The message cannot ever be claimed (poison): the broker moves it to the dead-letter exchange.</summary>
    public ValueTask DeadLetterAsync(Delivery delivery)
    {
        LogPoison(_logger, CampaignId, delivery.Tag);
        return NackAsync(delivery, requeue: false);
    }

    private async ValueTask NackAsync(Delivery delivery, bool requeue)
    {
        if (delivery.Generation != Volatile.Read(ref _generation))
        {
            return;
        }
        try
        {
            await _channel.BasicNackAsync(delivery.Tag, multiple: false, requeue);
            _acks.Settled(delivery.Tag); // after the frame is queued: a later "ack multiple" must not overtake it
        }
        catch (Exception ex) when (IsChannelGone(ex))
        {
            LogAckFailed(_logger, delivery.Packet.PacketId, ex.Message);
        }
    }

    private async Task AckLoopAsync()
    {
        var signals = _ackSignal.Reader;
        while (true)
        {
            bool open;
            if (_acks.Waiting == 0)
            {
                open = await signals.WaitToReadAsync();
            }
            else
            {
                using var stale = new CancellationTokenSource(StaleAck);
                try
                {
                    open = await signals.WaitToReadAsync(stale.Token);
                }
                catch (OperationCanceledException)
                {
                    open = true;
                }
            }
            if (!open)
            {
                break;
            }
            signals.TryRead(out _);
            await FlushAcksAsync(DateTime.UtcNow.Ticks - StaleAck.Ticks);
        }
        await FlushAcksAsync(long.MaxValue); // stopping: every committed packet is acked before the channel closes
    }

    private async Task FlushAcksAsync(long staleBeforeTicks)
    {
        try
        {
            if (_acks.TryTakePrefix(out var upTo))
            {
                await _channel.BasicAckAsync(upTo, multiple: true);
            }
            foreach (var tag in _acks.TakeStale(staleBeforeTicks))
            {
                await _channel.BasicAckAsync(tag, multiple: false);
            }
        }
        catch (Exception ex) when (IsChannelGone(ex))
        {
            LogAcksFailed(_logger, CampaignId, ex.Message);
        }
    }

    private static bool IsChannelGone(Exception ex) =>
        ex is RabbitMQ.Client.Exceptions.AlreadyClosedException or RabbitMQ.Client.Exceptions.OperationInterruptedException or ObjectDisposedException;

    private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs args)
    {
        _acks.Delivered(args.DeliveryTag);
        Volatile.Write(ref _awaitingFirstFill, false);
        PacketMessage? packet = null;
        try
        {
            packet = JsonSerializer.Deserialize(args.Body.Span, MessagingJsonContext.Default.PacketMessage);
        }
        catch (JsonException)
        {
        }
        if (packet is null || packet.CampaignId != CampaignId || packet.PacketId <= 0 || packet.AmountCents <= 0)
        {
            // Poison: dead-lettered for an operator instead of looping.
            LogPoison(_logger, CampaignId, args.DeliveryTag);
            await _channel.BasicNackAsync(args.DeliveryTag, multiple: false, requeue: false);
            _acks.Settled(args.DeliveryTag);
            return;
        }
        var delivery = new Delivery(args.DeliveryTag, Volatile.Read(ref _generation), packet);
        if (!_buffer.Writer.TryWrite(delivery))
        {
            await _channel.BasicNackAsync(args.DeliveryTag, multiple: false, requeue: true);
            _acks.Settled(args.DeliveryTag);
        }
    }

    private Task OnChannelShutdownAsync(object sender, ShutdownEventArgs args)
    {
        Volatile.Write(ref _closedAlone, args.Initiator == ShutdownInitiator.Peer && args.ReplyCode != Constants.ConnectionForced && _connectionOpen());
        Interlocked.Increment(ref _generation);
        _acks.Reset();
        while (_buffer.Reader.TryRead(out _))
        {
        }
        if (args.Initiator != ShutdownInitiator.Application)
        {
            LogChannelShutdown(_logger, CampaignId, args.ReplyText);
        }
        return Task.CompletedTask;
    }

    /// <summary>Stops consuming and gives every buffered packet back to the queue.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_consumerTag is not null && _channel.IsOpen)
            {
                await _channel.BasicCancelAsync(_consumerTag);
            }
            while (_buffer.Reader.TryRead(out var delivery))
            {
                await NackAsync(delivery);
            }
            _ackSignal.Writer.TryComplete();
            await _ackLoop;
            if (_channel.IsOpen)
            {
                await _channel.CloseAsync();
            }
        }
        catch (Exception ex) when (IsChannelGone(ex))
        {
            // Closing the channel requeues whatever is still unacked.
        }
        _buffer.Writer.TryComplete();
        _ackSignal.Writer.TryComplete();
        await _ackLoop;
        await _channel.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ack/nack of packet {PacketId} failed ({Reason}); the broker redelivers it and the ledger recognises it")]
    private static partial void LogAckFailed(ILogger logger, long packetId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Campaign {CampaignId}: acks not sent ({Reason}); the broker redelivers those packets and the ledger recognises them")]
    private static partial void LogAcksFailed(ILogger logger, long campaignId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Campaign {CampaignId}: unreadable packet message (tag {Tag}) dead-lettered")]
    private static partial void LogPoison(ILogger logger, long campaignId, ulong tag);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Campaign {CampaignId}: consumer channel shut down ({Reason}); buffered packets were requeued by the broker")]
    private static partial void LogChannelShutdown(ILogger logger, long campaignId, string reason);
}
