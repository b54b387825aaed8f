using ElasticRedPacket.ServiceDefaults.Messaging;
using Npgsql;

namespace ElasticRedPacket.Monitor.Data;

/// <summary>outcome_counts and processed_event_batches: exactly-once counting of at-least-once events.</summary>
public sealed class OutcomeStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Adds the counts of every batch whose id was not recorded before, in one transaction with the ids,
    /// so a redelivered batch (monitor crashed before the ack) is counted once. One round trip serves a
    /// whole group of batches (redpacket publishes one per confirm, hundreds a second under load).
    /// Returns how many batches were new.
    /// </summary>
    public async Task<int> RecordAsync(IReadOnlyList<OutcomeBatch> batches, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var fresh = new HashSet<Guid>();
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO processed_event_batches (batch_id) SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING RETURNING batch_id", connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = batches.Select(b => b.BatchId).Distinct().ToArray() });
            await using var reader = await insert.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                fresh.Add(reader.GetGuid(0));
            }
        }

        // Pre-aggregate: one row per (campaign, outcome), as ON CONFLICT cannot touch a row twice.
        var totals = new Dictionary<(long CampaignId, string Outcome), long>();
        var counted = 0;
        foreach (var batch in batches)
        {
            if (!fresh.Remove(batch.BatchId))
            {
                continue; // recorded before, or a repeat within this group
            }
            counted++;
            foreach (var count in batch.Counts)
            {
                totals[(count.CampaignId, count.Outcome)] = totals.GetValueOrDefault((count.CampaignId, count.Outcome)) + count.Count;
            }
        }
        if (totals.Count > 0)
        {
            await using var upsert = new NpgsqlCommand("""
                INSERT INTO outcome_counts (campaign_id, outcome, count)
                SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[])
                ON CONFLICT (campaign_id, outcome) DO UPDATE SET count = outcome_counts.count + excluded.count
                """, connection, transaction);
            upsert.Parameters.Add(new NpgsqlParameter { Value = totals.Keys.Select(k => k.CampaignId).ToArray() });
            upsert.Parameters.Add(new NpgsqlParameter { Value = totals.Keys.Select(k => k.Outcome).ToArray() });
            upsert.Parameters.Add(new NpgsqlParameter { Value = totals.Values.ToArray() });
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return counted;
    }
}
