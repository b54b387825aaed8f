using Dapper;
using Npgsql;

namespace ElasticRedPacket.Monitor.Features.Releasing;

public sealed record DueBatch(long CampaignId, int BatchNo);

public sealed record ReleasablePacket(long Id, int AmountCents);

/// <summary>The release schedule's reads and writes.</summary>
public sealed class ReleaseStore(NpgsqlDataSource dataSource)
{
    public async Task<List<DueBatch>> DueAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<DueBatch>(new CommandDefinition("""
            SELECT rb.campaign_id AS CampaignId, rb.batch_no AS BatchNo
            FROM release_batches rb JOIN campaigns c ON c.id = rb.campaign_id
            WHERE rb.released_at IS NULL AND rb.due_at <= now() AND c.status IN ('scheduled', 'releasing')
            ORDER BY rb.due_at, rb.campaign_id, rb.batch_no
            LIMIT @limit
            """, new { limit }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>One chunk of a batch's packets in id order, after <paramref name="afterId"/>.</summary>
    public async Task<List<ReleasablePacket>> PacketsAsync(DueBatch batch, long afterId, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT id, amount_cents FROM packets
            WHERE campaign_id = $1 AND batch_no = $2 AND id > $3 AND expired_at IS NULL
            ORDER BY id LIMIT $4
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = batch.CampaignId });
        command.Parameters.Add(new NpgsqlParameter { Value = batch.BatchNo });
        command.Parameters.Add(new NpgsqlParameter { Value = afterId });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        var packets = new List<ReleasablePacket>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            packets.Add(new ReleasablePacket(reader.GetInt64(0), reader.GetInt32(1)));
        }
        return packets;
    }

    /// <summary>
    /// Marks the batch released (only if nobody did: the WHERE makes a second mark a no-op) and moves
    /// the campaign to releasing, or released once no batch is left. Runs in the caller's transaction on
    /// the release lock's connection, so it commits only while the lock is held. Returns false if it was marked already.
    /// </summary>
    public static async Task<bool> MarkReleasedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DueBatch batch, CancellationToken cancellationToken)
    {
        var marked = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE release_batches SET released_at = now()
            WHERE campaign_id = @CampaignId AND batch_no = @BatchNo AND released_at IS NULL
            """, batch, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE campaigns SET status = CASE
                WHEN EXISTS (SELECT 1 FROM release_batches WHERE campaign_id = @CampaignId AND released_at IS NULL) THEN 'releasing'
                ELSE 'released' END
            WHERE id = @CampaignId AND status IN ('scheduled', 'releasing')
            """, batch, transaction, cancellationToken: cancellationToken));
        return marked == 1;
    }
}
