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

    /// <summary>Every blocked user (the partial index users_blocked keeps this small).</summary>
    public async Task<IEnumerable<long>> BlockedIdsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT id FROM users WHERE status = 'blocked'", cancellationToken: cancellationToken));
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
