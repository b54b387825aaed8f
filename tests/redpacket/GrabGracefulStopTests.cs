using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Npgsql;

namespace ElasticRedPacket.RedPacket.Tests;

[CollectionDefinition(nameof(GrabGracefulStopTests), DisableParallelization = true)]
public sealed class GrabGracefulStopCollection;

/// <summary>
/// Graceful shutdown finishes in-flight requests: grabs are held mid-claim (the test locks the claims
/// table), the redpacket replica gets SIGTERM (services.sh stop) while they wait, then the lock goes.
/// Every grab sent before the stop gets a real HTTP answer, and the ledger holds exactly the packets
/// the clients heard "won" for. Talks to the replica's own port, so nginx cannot retry elsewhere.
/// </summary>
[Collection(nameof(GrabGracefulStopTests))]
public sealed class GrabGracefulStopTests(GrabFixture stack, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<GrabFixture>
{
    private const int Workers = 12;
    private const int Replica = 1;

    [Fact]
    public async Task Grab_ReplicaStoppedWithGrabsInFlight_EveryGrabAnsweredAndLedgerAgrees()
    {
        var campaign = await stack.Seeder.CreateAsync(Workers * 4, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(-1));
        var users = new ConcurrentQueue<KeyValuePair<long, string>>(await stack.NewUsersAsync(Workers * 8));
        using var client = new HttpClient
        {
            BaseAddress = new Uri($"http://127.0.0.1:{StackEnvironment.Current.PortBase + 120 + Replica}"),
            Timeout = TimeSpan.FromSeconds(30),
        };
        var clock = Stopwatch.StartNew();
        var answers = new ConcurrentQueue<(TimeSpan Start, TimeSpan End, long UserId, GrabResult? Result, string? Error)>();
        var stopRequested = false;

        // Claims wait behind this lock (INSERT needs ROW EXCLUSIVE), so grabs are in flight when SIGTERM comes.
        await using var locker = await stack.Seeder.Database.OpenConnectionAsync();
        await using var hold = await locker.BeginTransactionAsync();
        await using (var lockClaims = new NpgsqlCommand("LOCK TABLE claims IN SHARE ROW EXCLUSIVE MODE", locker, hold))
        {
            await lockClaims.ExecuteNonQueryAsync();
        }
        var lockHeld = true;
        try
        {
            var load = Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
            {
                while (!Volatile.Read(ref stopRequested) && users.TryDequeue(out var user))
                {
                    var start = clock.Elapsed;
                    try
                    {
                        var result = await GrabFixture.GrabAsync(client, user.Value, campaign.Id);
                        answers.Enqueue((start, clock.Elapsed, user.Key, result, null));
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        answers.Enqueue((start, clock.Elapsed, user.Key, null, $"{ex.GetType().Name}: {ex.Message}"));
                    }
                }
            })));

            await WaitForBlockedClaimsAsync(TimeSpan.FromSeconds(20));
            Volatile.Write(ref stopRequested, true);
            var stopAt = clock.Elapsed;
            var stopping = StackScripts.RunAsync("services.sh", "stop", "redpacket", Replica.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await WaitNotReadyAsync(client, TimeSpan.FromSeconds(20));
            var sigtermSeenAt = clock.Elapsed;
            // The replica is draining with the grabs still waiting on the lock: let them finish now.
            await hold.CommitAsync();
            lockHeld = false;
            await stopping;
            await load;

            var all = answers.ToList();
            var inFlight = all.Where(a => a.Start < stopAt && a.End > sigtermSeenAt).ToList();
            output.WriteLine($"{all.Count} grabs, {inFlight.Count} in flight across SIGTERM (stop at {stopAt.TotalSeconds:0.00} s, draining seen at {sigtermSeenAt.TotalSeconds:0.00} s); " +
                string.Join(", ", all.GroupBy(a => a.Result?.Outcome ?? "error").Select(g => $"{g.Key} {g.Count()}")));
            Assert.True(inFlight.Count > 0, "no grab was in flight when the replica got SIGTERM");
            var failed = all.Where(a => a.Error is not null).ToList();
            Assert.True(failed.Count == 0, $"{failed.Count} grabs sent before the stop got no answer: {string.Join("; ", failed.Take(5).Select(f => f.Error))}");
            Assert.All(all, a => Assert.True(a.Result!.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, a.Result.Body));

            var heardWon = all.Where(a => a.Result!.Outcome == "won").ToDictionary(a => a.UserId, a => a.Result!.PacketId!.Value);
            var ledger = (await stack.Seeder.ClaimsAsync(campaign.Id)).ToDictionary(c => c.UserId, c => c.PacketId);
            Assert.Equal(heardWon.OrderBy(w => w.Key), ledger.OrderBy(l => l.Key));
        }
        finally
        {
            if (lockHeld)
            {
                await hold.RollbackAsync();
            }
            await StackScripts.RunAsync("services.sh", "start", "redpacket", Replica.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await StackScripts.RunAsync("services.sh", "wait", "redpacket", Replica.ToString(System.Globalization.CultureInfo.InvariantCulture), "120");
        }
    }

    /// <summary>Waits until some claim INSERT waits on the test's lock: grabs are mid-claim.</summary>
    private async Task WaitForBlockedClaimsAsync(TimeSpan timeout)
    {
        await using var probe = await stack.Seeder.Database.OpenConnectionAsync();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await using var query = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO claims%'", probe);
            if ((long)(await query.ExecuteScalarAsync())! > 0)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"no claim waited on the lock within {timeout}");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until the replica stops answering ready: it has the SIGTERM and drains (or no longer accepts).</summary>
    private static async Task WaitNotReadyAsync(HttpClient client, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var probe = new HttpClient { BaseAddress = client.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        while (true)
        {
            try
            {
                using var response = await probe.GetAsync(new Uri("/readyz", UriKind.Relative));
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"the replica still answered ready {timeout} after SIGTERM");
            await Task.Delay(50);
        }
    }
}
