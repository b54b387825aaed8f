using Dapper;
using ElasticRedPacket.Monitor.Features.Campaigns;
using Npgsql;
using NpgsqlTypes;

namespace ElasticRedPacket.Monitor.Data;

/// <summary>
/// campaigns, packets and release_batches: monitor is their only writer. Claimed figures come from claim_counts (kept by
/// the ledger's triggers in each claim's transaction), not a count over claims: a dashboard polling at the peak costs
/// PostgreSQL a few rows per campaign instead of 40-80 ms per 300,000 claims.
/// </summary>
public sealed class CampaignStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Stores the campaign, its packets (binary COPY: a million rows in seconds, not minutes) and its
    /// release schedule (batch k due at start + k x interval) in one transaction: all or nothing.
    /// </summary>
    public async Task<long> CreateAsync(IssueCampaignRequest request, string name, DateTimeOffset startsAt, int[] amounts, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO campaigns (name, total_cents, packet_count, batch_count, interval_seconds, starts_at)
            VALUES (@name, @TotalCents, @PacketCount, @BatchCount, @IntervalSeconds, @startsAt)
            RETURNING id
            """, new { name, request.TotalCents, request.PacketCount, request.BatchCount, request.IntervalSeconds, startsAt = startsAt.UtcDateTime }, transaction, cancellationToken: cancellationToken));

        var sizes = BatchSizes(request.PacketCount, request.BatchCount);
        await using (var importer = await connection.BeginBinaryImportAsync(
            "COPY packets (campaign_id, batch_no, amount_cents) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            var index = 0;
            for (var batch = 0; batch < sizes.Length; batch++)
            {
                for (var i = 0; i < sizes[batch]; i++)
                {
                    await importer.StartRowAsync(cancellationToken);
                    await importer.WriteAsync(id, NpgsqlDbType.Bigint, cancellationToken);
                    await importer.WriteAsync(batch, NpgsqlDbType.Integer, cancellationToken);
                    await importer.WriteAsync(amounts[index++], NpgsqlDbType.Integer, cancellationToken);
                }
            }
            await importer.CompleteAsync(cancellationToken);
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO release_batches (campaign_id, batch_no, due_at, packet_count)
            SELECT @id, (b.n - 1)::integer, @startsAt + make_interval(secs => ((b.n - 1) * @IntervalSeconds)::double precision), b.size
            FROM unnest(@sizes) WITH ORDINALITY AS b(size, n)
            """,
            new { id, startsAt = startsAt.UtcDateTime, request.IntervalSeconds, sizes }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return id;
    }

    /// <summary>Batch sizes as even as possible: the first (count mod batches) batches get one more.</summary>
    public static int[] BatchSizes(int packetCount, int batchCount)
    {
        var sizes = new int[batchCount];
        for (var k = 0; k < batchCount; k++)
        {
            sizes[k] = (packetCount / batchCount) + (k < packetCount % batchCount ? 1 : 0);
        }
        return sizes;
    }

    private const string ViewSelect = """
        SELECT c.id, c.name, c.status, c.total_cents, c.packet_count, c.batch_count, c.interval_seconds,
               c.starts_at, c.created_at, c.closed_at,
               COALESCE(rb.released, 0), COALESCE(rb.batches_released, 0)::integer,
               CASE WHEN c.status = 'closed' THEN NULL ELSE rb.next_release END,
               COALESCE(cl.claimed, 0), COALESCE(cl.amount, 0),
               CASE WHEN c.status = 'closed'
                    THEN (SELECT count(*) FROM packets p WHERE p.campaign_id = c.id AND p.expired_at IS NOT NULL) - COALESCE(rb.unreleased, 0)
                    ELSE 0 END,
               CASE WHEN c.status = 'closed' THEN COALESCE(rb.unreleased, 0) ELSE 0 END
        FROM campaigns c
        LEFT JOIN LATERAL (
            SELECT sum(packet_count) FILTER (WHERE released_at IS NOT NULL) AS released,
                   count(*) FILTER (WHERE released_at IS NOT NULL) AS batches_released,
                   sum(packet_count) FILTER (WHERE released_at IS NULL) AS unreleased,
                   min(due_at) FILTER (WHERE released_at IS NULL) AS next_release
            FROM release_batches WHERE campaign_id = c.id) rb ON true
        LEFT JOIN LATERAL (
            SELECT sum(claimed)::bigint AS claimed, sum(amount_cents)::bigint AS amount FROM claim_counts WHERE campaign_id = c.id) cl ON true
        """;

    public async Task<List<CampaignRow>> ListAsync(long? id, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ViewSelect + (id is null ? " ORDER BY c.id DESC LIMIT $1" : " WHERE c.id = $1"));
        command.Parameters.Add(new NpgsqlParameter { Value = id ?? limit });
        var rows = new List<CampaignRow>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new CampaignRow(
                    reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6),
                    reader.GetFieldValue<DateTimeOffset>(7), reader.GetFieldValue<DateTimeOffset>(8), reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9),
                    reader.GetInt64(10), reader.GetInt32(11), reader.IsDBNull(12) ? null : reader.GetFieldValue<DateTimeOffset>(12),
                    reader.GetInt64(13), reader.GetInt64(14), reader.GetInt64(15), reader.GetInt64(16)));
            }
        }
        return rows;
    }

    public async Task<Dictionary<long, Dictionary<string, long>>> OutcomeCountsAsync(long[] campaignIds, CancellationToken cancellationToken)
    {
        var result = campaignIds.ToDictionary(id => id, _ => new Dictionary<string, long>(StringComparer.Ordinal));
        await using var command = dataSource.CreateCommand("SELECT campaign_id, outcome, count FROM outcome_counts WHERE campaign_id = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = campaignIds });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result[reader.GetInt64(0)][reader.GetString(1)] = reader.GetInt64(2);
        }
        return result;
    }

    public async Task<List<ActiveCampaign>> ActiveAsync(int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT c.id, c.name, c.status, c.packet_count,
                   c.packet_count - (SELECT coalesce(sum(claimed), 0)::bigint FROM claim_counts WHERE campaign_id = c.id),
                   c.starts_at,
                   (SELECT min(due_at) FROM release_batches WHERE campaign_id = c.id AND released_at IS NULL),
                   now()
            FROM campaigns c
            WHERE c.status <> 'closed'
            ORDER BY c.id DESC
            LIMIT $1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        var rows = new List<ActiveCampaign>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new ActiveCampaign(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetInt64(4),
                reader.GetFieldValue<DateTimeOffset>(5), reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6), reader.GetFieldValue<DateTimeOffset>(7)));
        }
        return rows;
    }

    public async Task<ClaimsPage> ClaimsAsync(long campaignId, int page, int pageSize, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT coalesce(sum(claimed), 0)::bigint FROM claim_counts WHERE campaign_id = @campaignId", new { campaignId }, cancellationToken: cancellationToken));
        await using var command = new NpgsqlCommand("""
            SELECT packet_id, user_id, amount_cents, claimed_at FROM claims
            WHERE campaign_id = $1 ORDER BY claimed_at DESC, packet_id DESC LIMIT $2 OFFSET $3
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = campaignId });
        command.Parameters.Add(new NpgsqlParameter { Value = pageSize });
        command.Parameters.Add(new NpgsqlParameter { Value = (long)(page - 1) * pageSize });
        var items = new List<ClaimView>(pageSize);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new ClaimView(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2), reader.GetFieldValue<DateTimeOffset>(3)));
        }
        return new ClaimsPage(campaignId, page, pageSize, total, items);
    }

    public async Task<bool> ExistsAsync(long campaignId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM campaigns WHERE id = $1)");
        command.Parameters.Add(new NpgsqlParameter { Value = campaignId });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}

/// <summary>One campaign's stored figures (the queue depth and outcome counts are added by the caller).</summary>
public sealed record CampaignRow(
    long Id, string Name, string Status, long TotalCents, int PacketCount, int BatchCount, int IntervalSeconds,
    DateTimeOffset StartsAt, DateTimeOffset CreatedAt, DateTimeOffset? ClosedAt,
    long Released, int BatchesReleased, DateTimeOffset? NextReleaseAt, long Claimed, long AmountClaimedCents, long Expired, long Cancelled)
{
    /// <summary>Once closed: released packets neither claimed nor expired (held unacked by a consumer, or on their way back to the queue).</summary>
    public long Unsettled => Released - Claimed - Expired;
}
