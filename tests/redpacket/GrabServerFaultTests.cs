using System.Globalization;

namespace ElasticRedPacket.RedPacket.Tests;

/// <summary>
/// Guarantee 6 for the servers: PostgreSQL, RabbitMQ or Redis restarts (or Redis loses every key)
/// while users grab through nginx. The services reconnect by themselves, the campaign still sells
/// out, guarantees 1-4 hold, and errors happen only while the server is away. Each case prints its
/// figures (requests during the fault, errors by kind, time to the first win after it, readiness
/// changes of every replica). Runs alone (the chaos collection); bounded to 90 s a case.
/// </summary>
[Collection(nameof(GrabChaosTests))]
public sealed class GrabServerFaultTests(GrabFixture stack, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<GrabFixture>
{
    private const int Packets = 600;
    private const int Users = 900;
    private const int Workers = 16;

    /// <summary>
    /// Errors may go on this long after the server is back and every replica ready again: if account's
    /// failures opened redpacket's breaker, it stays open Grab:BreakerBreakSeconds (5 s) before it probes.
    /// </summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(6);

    [Theory]
    [InlineData("restart", "postgres")]
    [InlineData("restart", "rabbitmq")]
    [InlineData("crash", "rabbitmq")]
    [InlineData("restart", "redis")]
    [InlineData("flush-redis", "")]
    public async Task Grab_ServerFaultMidLoad_GuaranteesHoldErrorsOnlyDuringFault(string fault, string server)
    {
        string[] faultArguments = server.Length == 0 ? [fault] : [fault, server];
        var campaign = await stack.Seeder.CreateAsync(Packets, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(-1));
        var users = await stack.NewUsersAsync(Users);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var client = new HttpClient { BaseAddress = StackEnvironment.Current.NginxUrl, Timeout = TimeSpan.FromSeconds(10) };
        // Paced (each worker pauses 100 ms after a grab: about 150 grabs a second) so the run outlasts a fault of a few seconds.
        var load = new GrabLoad(client, campaign.Id, users, Workers, TimeSpan.FromMilliseconds(100));
        var running = load.RunAsync(deadline.Token);

        await load.WaitForWinsAsync(Packets / 4, deadline.Token);
        var wonBeforeFault = load.Won.Count;
        TimeSpan faultAt, serverBackAt;
        await using (var readiness = ReplicaReadiness.Watch(load.Clock, TimeSpan.FromMilliseconds(200)))
        {
            faultAt = load.Clock.Elapsed;
            await StackScripts.RunAsync("fault.sh", faultArguments);
            serverBackAt = load.Clock.Elapsed;
            stack.Seeder.Database.Clear(); // the test's own pooled connections did not survive a PostgreSQL restart
            await running;
            var notReady = await ReplicaReadiness.WaitAllReadyAsync(TimeSpan.FromSeconds(60));
            Assert.True(notReady.Count == 0, $"not ready 60 s after {string.Join(' ', faultArguments)}: {string.Join("; ", notReady)}");
            await Task.Delay(400); // one more probe round records the last replica coming back
            Report(string.Join(' ', faultArguments), load, wonBeforeFault, faultAt, serverBackAt, readiness);
            var readyAgainAt = readiness.AllReadyAgainAt() ?? serverBackAt;

            var errors = load.Errors;
            Assert.True(load.SoldOut, $"not sold out in 90 s: {load.Won.Count} won, errors: {string.Join("; ", errors.Take(5).Select(e => e.Kind))}");
            await LedgerGuarantees.AssertSoldOutCleanlyAsync(stack.Seeder, campaign, load);
            // Errors only while the server was away: none before the fault, none once it is back and every replica ready (plus a settling moment).
            var windowEnd = (serverBackAt > readyAgainAt ? serverBackAt : readyAgainAt) + Settle;
            var outside = errors.Where(e => e.End < faultAt || e.Start > windowEnd).ToList();
            Assert.True(outside.Count == 0, $"{outside.Count} errors outside the fault window {faultAt.TotalSeconds:0.00}-{windowEnd.TotalSeconds:0.00} s: "
                + string.Join("; ", outside.Take(5).Select(e => $"{e.Kind} at {e.Start.TotalSeconds:0.00} s")));
            // Guarantee 5: monitor (its consumer too rode out the fault) counted every answer heard.
            await OutcomeCountGuarantees.AssertEveryAnswerCountedAsync(stack.Seeder, campaign.Id, load, cutOff: 0, output);
        }
    }

    private void Report(string fault, GrabLoad load, int wonBeforeFault, TimeSpan faultAt, TimeSpan serverBackAt, ReplicaReadiness readiness)
    {
        var events = load.Events.ToArray();
        var firstWinAfter = events.Where(e => e.Kind == "won" && e.Start >= serverBackAt).Select(e => (TimeSpan?)e.End).Min();
        var during = events.Where(e => e.Start >= faultAt && e.Start < (firstWinAfter ?? serverBackAt)).ToArray();
        var errors = load.Errors;
        var soldOutAt = events.Where(e => e.Kind == "sold_out").Select(e => (TimeSpan?)e.End).Min();
        string After(TimeSpan? t) => t is { } v ? "+" + (v - faultAt).TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s" : "never";
        static string ByKind(IEnumerable<GrabEvent> events) =>
            string.Join(", ", events.GroupBy(e => e.Kind).OrderByDescending(g => g.Count()).Select(g => $"{g.Count()} {g.Key}"));
        output.WriteLine($"{fault}: {events.Length} grabs, {wonBeforeFault} won before the fault (at {faultAt.TotalSeconds:0.00} s); "
            + $"fault.sh returned {After(serverBackAt)}; first win started after that {After(firstWinAfter)}; sold out {After(soldOutAt)}");
        output.WriteLine($"  grabs from the fault to that first win: {during.Length} ({ByKind(during)})");
        output.WriteLine($"  errors in all: {errors.Count}{(errors.Count > 0 ? $" ({ByKind(errors)}), the last one started {After(errors.Max(e => e.Start))}" : "")}");
        output.WriteLine("  readiness: " + readiness.Describe(faultAt));
    }
}
