using Dapper;
using Npgsql;

namespace ElasticRedPacket.Account.Data;

public sealed record UserRow(long Id, string DisplayName, string Status);

/// <summary>The users table (account is its only writer).</summary>
public sealed class UserStore(NpgsqlDataSource dataSource)
{
    public async Task<UserRow?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            "SELECT id, display_name AS DisplayName, status FROM users WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>Statuses of many users in one round trip (the status cache loads misses in batches).</summary>
    public async Task<Dictionary<long, bool>> ActiveByIdAsync(long[] ids, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Id, string Status)>(new CommandDefinition(
            "SELECT id, status FROM users WHERE id = ANY(@ids)", new { ids }, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Id, r => r.Status == "active");
    }

    /// <summary>Creates users firstId..firstId+count-1 in one statement; existing ids are left as they are.</summary>
    public async Task<int> CreateRangeAsync(long firstId, int count, string namePrefix, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO users (id, display_name)
            SELECT g, @namePrefix || g FROM generate_series(@firstId, @lastId) AS g
            ON CONFLICT (id) DO NOTHING
            """, new { firstId, lastId = firstId + count - 1, namePrefix }, commandTimeout: 300, cancellationToken: cancellationToken));
    }

    public async Task<bool> SetStatusAsync(long id, string status, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE users SET status = @status WHERE id = @id", new { id, status }, cancellationToken: cancellationToken)) == 1;
    }
}
