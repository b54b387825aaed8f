using System.Collections.Concurrent;
using System.Diagnostics;

namespace ElasticRedPacket.TestSupport;

/// <summary>One grab as a worker saw it, timed on the run's clock. Kind: the outcome, or the error ("503 shed ledger_unavailable", "HttpRequestException").</summary>
public readonly record struct GrabEvent(TimeSpan Start, TimeSpan End, long UserId, string Kind)
{
    private static readonly HashSet<string> Answers = ["won", "already_won", "sold_out", "try_again", "rate_limited"];

    /// <summary>Anything but a normal answer: a shed, a 5xx from nginx, no answer at all.</summary>
    public bool IsError => !Answers.Contains(Kind);
}

/// <summary>
/// Workers grabbing one campaign through nginx until it is sold out: each takes the next waiting
/// user, grabs once, and puts the user back on anything but won / already_won. Every grab is
/// recorded with its times, so a test can tell what happened before, during and after a fault.
/// </summary>
public sealed class GrabLoad(HttpClient client, long campaignId, IEnumerable<KeyValuePair<long, string>> users, int workers, TimeSpan pause)
{
    private readonly ConcurrentQueue<KeyValuePair<long, string>> _pending = new(users);
    private int _soldOut;

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    /// <summary>user -> the packet the user heard "won" for.</summary>
    public ConcurrentDictionary<long, long> Won { get; } = new();

    public ConcurrentQueue<GrabEvent> Events { get; } = new();

    public bool SoldOut => Volatile.Read(ref _soldOut) == 1;

    public List<GrabEvent> Errors => Events.Where(e => e.IsError).ToList();

    /// <summary>Runs the workers until sold out, no user is left, or <paramref name="deadline"/>.</summary>
    public Task RunAsync(CancellationToken deadline) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkAsync(deadline))));

    /// <summary>Returns once <paramref name="count"/> users have won (or at the deadline).</summary>
    public async Task WaitForWinsAsync(int count, CancellationToken deadline)
    {
        while (Won.Count < count && !deadline.IsCancellationRequested)
        {
            await Task.Delay(20, CancellationToken.None);
        }
    }

    private async Task WorkAsync(CancellationToken deadline)
    {
        while (!deadline.IsCancellationRequested && !SoldOut && _pending.TryDequeue(out var user))
        {
            var start = Clock.Elapsed;
            string kind;
            try
            {
                var result = await GrabFixture.GrabAsync(client, user.Value, campaignId);
                kind = result.Outcome is "won" or "already_won" or "sold_out" or "try_again" or "rate_limited"
                    ? result.Outcome
                    : $"{(int)result.Status} {result.Outcome} {result.Reason}".TrimEnd();
                if (result.Outcome == "won" && !Won.TryAdd(user.Key, result.PacketId!.Value))
                {
                    kind = $"won twice (packet {result.PacketId})";
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                kind = ex.GetType().Name;
            }
            Events.Enqueue(new GrabEvent(start, Clock.Elapsed, user.Key, kind));
            if (kind == "sold_out")
            {
                Interlocked.Exchange(ref _soldOut, 1);
            }
            else if (kind is not ("won" or "already_won"))
            {
                _pending.Enqueue(user); // ask again later
            }
            // The account rate limit allows a user 5 tries a second: when few users wait, slow down.
            await Task.Delay(_pending.Count < workers ? TimeSpan.FromMilliseconds(250) : pause, CancellationToken.None);
        }
    }
}
