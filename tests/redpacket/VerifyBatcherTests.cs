using System.Collections.Concurrent;
using System.Security.Cryptography;
using ElasticRedPacket.RedPacket.Apis;
using ElasticRedPacket.RedPacket.Services;
using ElasticRedPacket.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ElasticRedPacket.RedPacket.Tests;

/// <summary>
/// How VerifyBatcher groups grabs into calls: a stand-in for account's verify endpoint (a real Kestrel
/// on a free loopback port) allows every token and records how many each call carried.
/// </summary>
public sealed class VerifyBatcherTests
{
    [Fact]
    public async Task Verify_GrabsWithinTheGatherWindow_GoOutInOneCall()
    {
        await using var account = await StandInAccount.StartAsync();
        // A window far longer than the loop below needs (~50 ms): with 300 ms it split the batch once in CI, when the
        // suite's other classes kept the two cores busy and the ten short delays took longer than the window.
        using var batcher = await account.StartBatcherAsync(gatherMilliseconds: 1500);

        // Ten grabs arrive a few ms apart, well inside the window of the first.
        var grabs = new List<Task<Verification>>();
        for (var i = 0; i < 10; i++)
        {
            grabs.Add(batcher.VerifyAsync($"token-{i}", 7));
            await Task.Delay(5);
        }
        var answers = await Task.WhenAll(grabs);

        Assert.All(answers, a => Assert.Equal(VerifyDecision.Allowed, a.Decision));
        Assert.Equal([10], account.CallSizes);
        await batcher.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Verify_NoGatherWindow_FirstGrabGoesAlone()
    {
        await using var account = await StandInAccount.StartAsync(answerDelay: TimeSpan.FromMilliseconds(200));
        using var batcher = await account.StartBatcherAsync(gatherMilliseconds: 0, concurrency: 1);

        var first = batcher.VerifyAsync("token-first", 7);
        for (var waited = 0; account.CallSizes.Count == 0 && waited < 5000; waited += 10)
        {
            await Task.Delay(10); // until the first call is in flight at the stand-in
        }
        var rest = Enumerable.Range(0, 5).Select(i => batcher.VerifyAsync($"token-{i}", 7)).ToList();
        await first;
        await Task.WhenAll(rest);

        // The first went at once; the five that came while it was in flight went together after it.
        Assert.Equal([1, 5], account.CallSizes);
        await batcher.StopAsync(CancellationToken.None);
    }

    private sealed class StandInAccount : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<int> _sizes = new();

        private StandInAccount(WebApplication app) => _app = app;

        public IReadOnlyList<int> CallSizes => [.. _sizes];

        public static async Task<StandInAccount> StartAsync(TimeSpan answerDelay = default)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var standIn = new StandInAccount(app);
            app.MapPost("/internal/verify/batch", async (HttpContext context) =>
            {
                var batch = await context.Request.ReadFromJsonAsync(GrabJsonContext.Default.VerifyBatchRequest);
                var count = batch?.Items.Count ?? 0;
                standIn._sizes.Enqueue(count);
                await Task.Delay(answerDelay);
                var results = Enumerable.Range(0, count).Select(i => new VerifyResponse("allowed", 1000 + i, 0)).ToList();
                return Results.Json(new VerifyBatchResponse(results), GrabJsonContext.Default.VerifyBatchResponse);
            });
            await app.StartAsync();
            return standIn;
        }

        public async Task<Batcher> StartBatcherAsync(int gatherMilliseconds, int concurrency = 2)
        {
            // A long call timeout: these tests are about grouping, and a cold first call over 1 s would be retried and counted twice.
            var grab = Options.Create(new GrabOptions { VerifyGatherMilliseconds = gatherMilliseconds, VerifyConcurrency = concurrency, VerifyTimeoutMilliseconds = 10_000 });
            var account = new AccountClient(Options.Create(new ServicesOptions { AccountUrl = _app.Urls.First() }), grab, NullLogger<AccountClient>.Instance);
            var signer = new TokenSigner(Options.Create(new AuthOptions
            {
                TokenKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                OperatorKey = "test-operator-key-only",
            }), TimeProvider.System);
            var batcher = new Batcher(new VerifyBatcher(account, signer, grab), account, signer);
            await batcher.Inner.StartAsync(CancellationToken.None);
            return batcher;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private sealed class Batcher(VerifyBatcher inner, AccountClient account, TokenSigner signer) : IDisposable
    {
        public VerifyBatcher Inner { get; } = inner;

        public Task<Verification> VerifyAsync(string token, long campaignId) => Inner.VerifyAsync(token, campaignId);

        public Task StopAsync(CancellationToken cancellationToken) => Inner.StopAsync(cancellationToken);

        public void Dispose()
        {
            Inner.Dispose();
            account.Dispose();
            signer.Dispose();
        }
    }
}
