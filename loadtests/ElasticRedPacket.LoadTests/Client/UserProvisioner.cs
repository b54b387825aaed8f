using System.Net;
using System.Net.Http.Json;

namespace ElasticRedPacket.LoadTests.Client;

/// <summary>
/// Creates the load's user accounts through account's operator bulk endpoint and logs them in.
/// The bulk body's shape lives in <see cref="ErpApi.BulkUsersBody"/> (the one adapter to change if
/// account settles on another). Users that already exist (an earlier run) are fine: 409 counts as done.
/// </summary>
public sealed class UserProvisioner(ErpClient client, TextWriter log)
{
    public async Task CreateAsync(long fromId, int count, CancellationToken cancellationToken)
    {
        for (var offset = 0; offset < count; offset += ErpApi.BulkUsersChunk)
        {
            var size = Math.Min(ErpApi.BulkUsersChunk, count - offset);
            using var request = client.OperatorRequest(HttpMethod.Post, ErpApi.BulkUsersPath);
            request.Content = JsonContent.Create(ErpApi.BulkUsersBody(fromId + offset, size, "load"), options: ErpClient.Json);
            using var response = await client.Http.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Conflict)
            {
                (await ErpClient.ReadJsonAsyncOrEmpty(response, $"creating users {fromId + offset}..{fromId + offset + size - 1}", cancellationToken))?.Dispose();
            }
        }
        await log.WriteLineAsync($"users {fromId}..{fromId + count - 1} exist");
    }

    /// <summary>Logs every user in (bounded parallelism) and returns the ready-made Authorization header values, by user.</summary>
    public async Task<string[]> LoginAllAsync(long fromId, int count, int parallelism, CancellationToken cancellationToken)
    {
        var headers = new string[count];
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (i, ct) => headers[i] = "Bearer " + await client.LoginAsync(fromId + i, ct));
        await log.WriteLineAsync($"{count} users logged in in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
        return headers;
    }
}
