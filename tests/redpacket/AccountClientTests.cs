using System.Net;
using ElasticRedPacket.RedPacket.Apis;
using ElasticRedPacket.RedPacket.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace ElasticRedPacket.RedPacket.Tests;

/// <summary>
/// What AccountClient retries: a stand-in for account's verify endpoint (a real Kestrel on a free
/// loopback port) answers a fixed status and counts the calls it got.
/// </summary>
public sealed class AccountClientTests
{
    private static readonly VerifyBatchRequest Batch = new([new VerifyRequest("token", 1)]);

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(HttpStatusCode.RequestTimeout, true)]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.BadRequest, false)]
    [InlineData(HttpStatusCode.Unauthorized, false)]
    [InlineData(HttpStatusCode.NotFound, false)]
    [InlineData(HttpStatusCode.UnsupportedMediaType, false)]
    public async Task Verify_FailedStatus_RetriedOnceOnlyWhenTransient(HttpStatusCode status, bool transient)
    {
        await using var account = await StandInAccount.StartAsync(status);
        using var client = account.NewClient(breakerMinimumThroughput: 100);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.VerifyAsync(Batch, CancellationToken.None));

        Assert.IsType(transient ? typeof(AccountUnavailableException) : typeof(AccountRejectedException), error);
        Assert.Equal(transient ? 2 : 1, account.Calls);
    }

    [Fact]
    public async Task Verify_RepeatedClientErrors_OpenTheBreaker()
    {
        await using var account = await StandInAccount.StartAsync(HttpStatusCode.BadRequest);
        using var client = account.NewClient(breakerMinimumThroughput: 2);

        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<AccountRejectedException>(() => client.VerifyAsync(Batch, CancellationToken.None));
        }
        await Assert.ThrowsAsync<BrokenCircuitException>(() => client.VerifyAsync(Batch, CancellationToken.None));

        Assert.Equal(2, account.Calls);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, true)]
    [InlineData(HttpStatusCode.BadGateway, true)]
    [InlineData(HttpStatusCode.RequestTimeout, true)]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.BadRequest, false)]
    [InlineData(HttpStatusCode.Forbidden, false)]
    [InlineData(HttpStatusCode.Conflict, false)]
    public void IsTransient_Status_OnlyServerFailuresTimeoutsAndThrottling(HttpStatusCode status, bool transient) =>
        Assert.Equal(transient, AccountClient.IsTransient(status));

    private sealed class StandInAccount : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _calls;

        private StandInAccount(WebApplication app) => _app = app;

        public int Calls => Volatile.Read(ref _calls);

        public static async Task<StandInAccount> StartAsync(HttpStatusCode status)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var standIn = new StandInAccount(app);
            app.MapPost("/internal/verify/batch", () =>
            {
                Interlocked.Increment(ref standIn._calls);
                return Results.StatusCode((int)status);
            });
            await app.StartAsync();
            return standIn;
        }

        public AccountClient NewClient(int breakerMinimumThroughput)
        {
            var address = _app.Urls.First(); // the port Kestrel picked
            return new AccountClient(
                Options.Create(new ServicesOptions { AccountUrl = address }),
                // A long call timeout: a cold first call over the default 1 s would be retried and counted twice.
                Options.Create(new GrabOptions { BreakerMinimumThroughput = breakerMinimumThroughput, VerifyTimeoutMilliseconds = 10_000 }),
                NullLogger<AccountClient>.Instance);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
