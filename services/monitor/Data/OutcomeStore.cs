using ElasticRedPacket.ServiceDefaults.Messaging;
using Npgsql;

namespace ElasticRedPacket.Monitor.Data;

/// <summary>outcome_counts and processed_event_batches: exactly-once counting of at-least-once events.</summary>
public sealed class OutcomeStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Adds a batch's counts unless its id was recorded before; both happen in one transaction, so a
    /// redelivered batch (monitor crashed before the ack) is counted once. Returns false for a repeat.
    /// </summary>
    public async Task<bool> RecordAsync(OutcomeBatch batch, CancellationToken cancellationToken)
    {
        // Pre-aggregate: one row per (campaign, outcome), as ON CONFLICT cannot touch a row twice.
        var totals = new Dictionary<(long, string), long>();
        foreach (var count in batch.Counts)
        {
            totals[(count.CampaignId, count.Outcome)] = totals.GetValueOrDefault((count.CampaignId, count.Outcome)) + count.Count;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO processed_event_batches (batch_id) VALUES ($1) ON CONFLICT DO NOTHING", connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = batch.BatchId });
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return false;
            }
        }
        if (totals.Count > 0)
        {
            await using var upsert = new NpgsqlCommand("""
                INSERT INTO outcome_counts (campaign_id, outcome, count)
                SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[])
                ON CONFLICT (campaign_id, outcome) DO UPDATE SET count = outcome_counts.count + excluded.count
                """, connection, transaction);
            upsert.Parameters.Add(new NpgsqlParameter { Value = totals.Keys.Select(k => k.Item1).ToArray() });
            upsert.Parameters.Add(new NpgsqlParameter { Value = totals.Keys.Select(k => k.Item2).ToArray() });
            upsert.Parameters.Add(new NpgsqlParameter { Value = totals.Values.ToArray() });
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
