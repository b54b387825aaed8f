using Dapper;
using ElasticRedPacket.Monitor.Features.Releasing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ElasticRedPacket.Monitor.Tests;

/// <summary>
/// The release lock against the real PostgreSQL (the stack's connection string has No Reset On
/// Close=true, as in Kubernetes). Other releasers (the stack's monitor, this host) take the lock
/// for a moment every tick, so acquiring waits a little.
/// </summary>
public sealed class ReleaseLockTests(ServiceFactory<Program> factory) : IClassFixture<ServiceFactory<Program>>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private LockConnectionSource Connections => factory.Services.GetRequiredService<LockConnectionSource>();

    [Fact]
    public async Task Lock_DisposedWithoutUnlock_NoSessionKeepsIt()
    {
        await using (var holder = new ReleaseLock(Connections))
        {
            Assert.True(await holder.AcquireAsync(Wait, CancellationToken.None));
        }
        // A pooled connection would go back to its pool still holding the lock (nothing resets it);
        // an unpooled one ends its session, so another session gets the lock.
        Assert.True(await OtherSessionAcquiresAsync(), "the lock stayed held after its holder was disposed");
    }

    [Fact]
    public async Task Lock_ConnectionKilledAndTakenOver_MarkAbortedBatchStaysUnmarked()
    {
        var issued = await Probe.IssueAsync(Probe.Operator(factory.CreateClient()), Probe.Campaign("lock-lost", packets: 10, batches: 1, startsAt: DateTimeOffset.UtcNow.AddHours(1)));
        var batch = new DueBatch(issued.Id, 0);
        await using var first = new ReleaseLock(Connections);
        Assert.True(await first.AcquireAsync(Wait, CancellationToken.None));
        await first.EnsureHeldAsync(CancellationToken.None);

        // The first holder's session dies mid-batch; a second replica takes the lock over.
        await using (var db = await Probe.Db.OpenConnectionAsync())
        {
            Assert.True(await db.ExecuteScalarAsync<bool>($"SELECT pg_terminate_backend(pid) FROM pg_locks WHERE {LockHeld}", new { ReleaseLock.Key }));
        }
        await using var second = new ReleaseLock(Connections);
        Assert.True(await second.AcquireAsync(Wait, CancellationToken.None));

        await Assert.ThrowsAsync<ReleaseLockLostException>(() => first.EnsureHeldAsync(CancellationToken.None));
        await Assert.ThrowsAsync<ReleaseLockLostException>(() =>
            first.WhileHeldAsync((c, t) => ReleaseStore.MarkReleasedAsync(c, t, batch, CancellationToken.None), CancellationToken.None));
        Assert.Null((await Probe.BatchesAsync(issued.Id)).Single().ReleasedAt);
        await second.EnsureHeldAsync(CancellationToken.None);
        await second.ReleaseAsync();

        // Unlocked on a live connection: the lock is no longer this session's either.
        await Assert.ThrowsAsync<ReleaseLockLostException>(() => second.EnsureHeldAsync(CancellationToken.None));
    }

    private const string LockHeld = "locktype = 'advisory' AND granted AND classid::bigint = (@Key >> 32) AND objid::bigint = (@Key & 4294967295) AND objsubid = 1";

    /// <summary>A fresh unpooled session takes and gives back the lock within <see cref="Wait"/>.</summary>
    private static async Task<bool> OtherSessionAcquiresAsync()
    {
        var builder = new NpgsqlConnectionStringBuilder(StackEnvironment.Current.Postgres) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            if (await connection.ExecuteScalarAsync<bool>("SELECT pg_try_advisory_lock(@Key)", new { ReleaseLock.Key }))
            {
                await connection.ExecuteAsync("SELECT pg_advisory_unlock(@Key)", new { ReleaseLock.Key });
                return true;
            }
            await Task.Delay(50);
        }
        return false;
    }
}
