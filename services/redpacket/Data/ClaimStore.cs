using Dapper;
using ElasticRedPacket.RedPacket.Apis;
using Npgsql;

namespace ElasticRedPacket.RedPacket.Data;

/// <summary>Reads of the ledger (claims).</summary>
public sealed class ClaimStore(NpgsqlDataSource dataSource)
{
    public async Task<ClaimResponse?> FindAsync(long campaignId, long userId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(long PacketId, int AmountCents, DateTime ClaimedAt)>(new CommandDefinition(
            "SELECT packet_id, amount_cents, claimed_at FROM claims WHERE campaign_id = @campaignId AND user_id = @userId",
            new { campaignId, userId }, cancellationToken: cancellationToken));
        return row.PacketId == 0
            ? null
            : new ClaimResponse(campaignId, row.PacketId, userId, row.AmountCents, new DateTimeOffset(DateTime.SpecifyKind(row.ClaimedAt, DateTimeKind.Utc)));
    }
}
