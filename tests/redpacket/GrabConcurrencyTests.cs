using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace ElasticRedPacket.RedPacket.Tests;

/// <summary>Guarantees 1-4 under concurrency through nginx and the two redpacket replicas of the stack.</summary>
public sealed class GrabConcurrencyTests(GrabFixture stack) : IClassFixture<GrabFixture>
{
    [Fact]
    public async Task Grab_ThousandsOfUsersAndRepeatsRacingThroughTwoReplicas_LedgerQueueAndAnswersAgree()
    {
        const int Packets = 600, DistinctUsers = 2000, RepeatUsers = 100, RepeatsEach = 4;
        var campaign = await stack.Seeder.CreateAsync(Packets, batches: 3, releasedBatches: 3, DateTimeOffset.UtcNow.AddSeconds(-1));
        var tokens = await stack.NewUsersAsync(DistinctUsers + RepeatUsers);
        var users = tokens.Keys.Order().ToArray();
        // Each distinct user grabs once; each repeat user fires several grabs at once.
        var attempts = users.Take(DistinctUsers).Concat(users.Skip(DistinctUsers).SelectMany(u => Enumerable.Repeat(u, RepeatsEach)))
            .OrderBy(_ => Random.Shared.Next()).ToArray();

        var answers = new ConcurrentBag<(long UserId, GrabResult Result, TimeSpan Start, TimeSpan End)>();
        var clock = Stopwatch.StartNew();
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = StackEnvironment.Current.NginxUrl };
        using var stopSampling = new CancellationTokenSource();
        var ledgerSamples = SampleLedgerAsync(campaign.Id, clock, stopSampling.Token);
        await Parallel.ForEachAsync(attempts, new ParallelOptions { MaxDegreeOfParallelism = 48 }, async (userId, ct) =>
        {
            // A real client: try_again means packets remain elsewhere or are due; come back shortly.
            for (var i = 0; i < 40; i++)
            {
                var start = clock.Elapsed;
                var result = await GrabFixture.GrabAsync(client, tokens[userId], campaign.Id);
                answers.Add((userId, result, start, clock.Elapsed));
                if (result.Outcome is not ("try_again" or "rate_limited"))
                {
                    return;
                }
                await Task.Delay(result.Outcome == "rate_limited" ? 1000 : 50, ct);
            }
        });
        await stopSampling.CancelAsync();
        var samples = await ledgerSamples;

        var all = answers.ToList();
        var unexpected = all.Where(a => a.Result.Outcome is not ("won" or "already_won" or "sold_out" or "try_again" or "rate_limited")).ToList();
        Assert.True(unexpected.Count == 0, "unexpected answers: " + string.Join("; ", unexpected.Take(5).Select(a => $"{a.Result.Status} {a.Result.Body}")));
        var won = all.Where(a => a.Result.Outcome == "won").ToList();
        var ledger = await stack.Seeder.ClaimsAsync(campaign.Id);

        // 4: every won answer is a ledger row and every ledger row was answered won, once.
        Assert.Equal(ledger.Count, won.Count);
        Assert.Equal(ledger.OrderBy(c => c.PacketId), won.Select(w => (w.Result.PacketId!.Value, w.UserId, w.Result.AmountCents!.Value)).OrderBy(c => c.Item1));
        Assert.All(won, w => Assert.Equal(HttpStatusCode.OK, w.Result.Status));
        // 1: no packet twice, claims <= packets, sum <= total.
        Assert.Equal(ledger.Count, ledger.Select(c => c.PacketId).Distinct().Count());
        Assert.True(ledger.Sum(c => (long)c.AmountCents) <= campaign.TotalCents);
        Assert.All(ledger, c => Assert.Contains(campaign.Packets, p => p.PacketId == c.PacketId && p.AmountCents == c.AmountCents));
        // 2: one win per user; already_won only for users in the ledger, with their amount.
        Assert.Equal(ledger.Count, ledger.Select(c => c.UserId).Distinct().Count());
        var amountOf = ledger.ToDictionary(c => c.UserId, c => c.AmountCents);
        Assert.All(all.Where(a => a.Result.Outcome == "already_won"), a => Assert.Equal(amountOf[a.UserId], a.Result.AmountCents));
        // 3: more users than packets, so every released packet is claimed and the queue is empty.
        Assert.Equal(Packets, ledger.Count);
        Assert.Equal(campaign.TotalCents, ledger.Sum(c => (long)c.AmountCents));
        Assert.Equal(0u, await stack.Seeder.ReadyCountAsync(campaign.Id));
        // Honest sold_out: every won request started before the first sold_out answer ended (a sold_out sent
        // before some claim was even asked for was premature), and no ledger read that began after a
        // sold_out answer had ended saw fewer rows than packets.
        var soldOut = all.Where(a => a.Result.Outcome == "sold_out").ToList();
        Assert.NotEmpty(soldOut); // more users than packets: the last ones hear it
        var firstSoldOutEnd = soldOut.Min(a => a.End);
        var lastWonStart = won.Max(w => w.Start);
        Assert.True(lastWonStart <= firstSoldOutEnd,
            $"sold_out answered by {firstSoldOutEnd.TotalMilliseconds:0} ms, but a grab that won started at {lastWonStart.TotalMilliseconds:0} ms");
        var shortAfter = samples.Where(x => x.Start > firstSoldOutEnd && x.Rows < Packets).ToList();
        Assert.True(shortAfter.Count == 0,
            $"sold_out answered by {firstSoldOutEnd.TotalMilliseconds:0} ms, but the ledger held {shortAfter.FirstOrDefault().Rows} rows at {shortAfter.FirstOrDefault().Start.TotalMilliseconds:0} ms");
        Assert.Contains(samples, x => x.Rows < Packets); // the sampler watched the ledger fill, not only its end state
        // sold_out only once everything is claimed: a newcomer now hears it.
        var (_, latecomer) = await stack.NewUserAsync();
        var late = await GrabFixture.GrabAsync(stack.Nginx, latecomer, campaign.Id);
        for (var i = 0; i < 4 && late.Outcome == "try_again"; i++)
        {
            await Task.Delay(300); // the replica's cached campaign state may predate the last claims by a few hundred ms
            late = await GrabFixture.GrabAsync(stack.Nginx, latecomer, campaign.Id);
        }
        var tally = string.Join(", ", all.GroupBy(a => a.Result.Outcome).Select(g => $"{g.Key} {g.Count()}"));
        Assert.True(late.Outcome == "sold_out", $"{late.Body}; answers: {tally}");
    }

    [Fact]
    public async Task Grab_FewerUsersThanPacketsOnTwoReplicas_ReleasedEqualsClaimedPlusQueued()
    {
        const int Packets = 300, Users = 120;
        var campaign = await stack.Seeder.CreateAsync(Packets, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(-1));
        var tokens = await stack.NewUsersAsync(Users);
        var answers = new ConcurrentBag<GrabResult>();
        // Two replicas in this process (each its own consumer, buffer and batcher) against the same servers.
        await using (var replicaA = new ServiceFactory<Program>())
        await using (var replicaB = new ServiceFactory<Program>())
        {
            var clients = new[] { replicaA.CreateClient(), replicaB.CreateClient() };
            await Parallel.ForEachAsync(tokens.Keys.Select((u, i) => (u, i)), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (x, ct) =>
            {
                for (var attempt = 0; attempt < 20; attempt++)
                {
                    var result = await GrabFixture.GrabAsync(clients[x.i % 2], tokens[x.u], campaign.Id);
                    if (result.Outcome != "try_again")
                    {
                        answers.Add(result);
                        return;
                    }
                    await Task.Delay(50, ct);
                }
            });
        } // graceful shutdown: buffered deliveries go back to the queue

        var ledger = await stack.Seeder.ClaimsAsync(campaign.Id);
        Assert.Equal(Users, answers.Count(a => a.Outcome == "won"));
        Assert.Equal(Users, ledger.Count);
        var ready = await WaitForReadyAsync(campaign.Id, Packets - Users);
        Assert.Equal((uint)(Packets - Users), ready);
    }

    /// <summary>The campaign's ledger row count every few ms until cancelled, each with the time its read began.</summary>
    private async Task<List<(TimeSpan Start, long Rows)>> SampleLedgerAsync(long campaignId, Stopwatch clock, CancellationToken stop)
    {
        var samples = new List<(TimeSpan, long)>();
        await using var connection = await stack.Seeder.Database.OpenConnectionAsync(CancellationToken.None);
        await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM claims WHERE campaign_id = @c", connection);
        count.Parameters.AddWithValue("c", campaignId);
        while (!stop.IsCancellationRequested)
        {
            var start = clock.Elapsed;
            samples.Add((start, (long)(await count.ExecuteScalarAsync(CancellationToken.None))!));
            await Task.Delay(10, CancellationToken.None);
        }
        return samples;
    }

    private async Task<uint> WaitForReadyAsync(long campaignId, int expected)
    {
        uint ready = 0;
        for (var i = 0; i < 50 && ready != expected; i++)
        {
            ready = await stack.Seeder.ReadyCountAsync(campaignId);
            await Task.Delay(100);
        }
        return ready;
    }
}
