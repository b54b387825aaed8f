using ElasticRedPacket.LoadTests.Client;
using Npgsql;

namespace ElasticRedPacket.LoadTests.Audit;

/// <summary>Reads the campaign, its packets, its released batches and its ledger rows straight from PostgreSQL (read-only).</summary>
public sealed class PostgresLedgerReader(string connectionString)
{
    public async Task<CampaignLedger> ReadAsync(long campaignId, QueueDepth queue, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        // One snapshot for every query: the counts agree with each other.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);

        long totalCents, packetCount;
        await using (var command = new NpgsqlCommand("SELECT total_cents, packet_count FROM campaigns WHERE id = $1", connection, transaction))
        {
            command.Parameters.AddWithValue(campaignId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new HarnessException($"campaign {campaignId} is not in the database");
            }
            totalCents = reader.GetInt64(0);
            packetCount = reader.GetInt32(1);
        }

        var packets = new List<LedgerPacket>();
        await using (var command = new NpgsqlCommand("SELECT id, amount_cents, expired_at IS NOT NULL FROM packets WHERE campaign_id = $1", connection, transaction))
        {
            command.Parameters.AddWithValue(campaignId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                packets.Add(new LedgerPacket(reader.GetInt64(0), reader.GetInt32(1), reader.GetBoolean(2)));
            }
        }

        var claims = new List<LedgerClaim>();
        await using (var command = new NpgsqlCommand("SELECT packet_id, user_id, amount_cents FROM claims WHERE campaign_id = $1", connection, transaction))
        {
            command.Parameters.AddWithValue(campaignId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                claims.Add(new LedgerClaim(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2)));
            }
        }

        long released;
        await using (var command = new NpgsqlCommand(
            "SELECT coalesce(sum(packet_count), 0)::bigint FROM release_batches WHERE campaign_id = $1 AND released_at IS NOT NULL", connection, transaction))
        {
            command.Parameters.AddWithValue(campaignId);
            released = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        await transaction.CommitAsync(cancellationToken);

        // Expired packets count only if they are not also claimed (a claimed packet is accounted as claimed).
        var claimed = claims.Select(c => c.PacketId).ToHashSet();
        var expired = packets.Count(p => p.Expired && !claimed.Contains(p.PacketId));
        return new CampaignLedger(campaignId, totalCents, packetCount, claims, packets, released, queue, expired, "postgresql");
    }
}
