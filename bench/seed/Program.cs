// bench seed: dotnet run -- seed <nginxUrl> <operatorKey> <postgres> <rabbitmq> <users> <packets> <tokensFile>
//             dotnet run -- campaign <postgres> <rabbitmq> <packets>      (a released campaign only: the warm-up's)
//             dotnet run -- check <postgres> <rabbitmq> <campaignId>
using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using ElasticRedPacket.TestSupport;

if (args is ["seed", var nginx, var operatorKey, var postgres, var rabbitMq, var usersArg, var packetsArg, var tokensFile])
{
    int users = int.Parse(usersArg), packets = int.Parse(packetsArg);
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32 }) { BaseAddress = new Uri(nginx) };
    await using var seeder = new CampaignSeeder(postgres, rabbitMq);
    await using (var connection = await seeder.Database.OpenConnectionAsync())
    {
        var firstId = await connection.ExecuteScalarAsync<long>("SELECT coalesce(max(id), 0) + 1 FROM users");
        using var bulk = new HttpRequestMessage(HttpMethod.Post, "/api/accounts/users/bulk") { Content = JsonContent.Create(new { firstId, count = users }) };
        bulk.Headers.Add("X-Operator-Key", operatorKey);
        (await http.SendAsync(bulk)).EnsureSuccessStatusCode();
        var tokens = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, users), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            using var login = await http.PostAsJsonAsync("/api/accounts/login", new { userId = firstId + i }, ct);
            login.EnsureSuccessStatusCode();
            tokens.Add((await login.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("token").GetString()!);
        });
        await File.WriteAllLinesAsync(tokensFile, tokens);
    }
    var campaign = await seeder.CreateAsync(packets, batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(-1));
    Console.WriteLine(campaign.Id);
    return 0;
}
if (args is ["campaign", var pgc, var mqc, var warmPackets])
{
    await using var seeder = new CampaignSeeder(pgc, mqc);
    Console.WriteLine((await seeder.CreateAsync(int.Parse(warmPackets), batches: 1, releasedBatches: 1, DateTimeOffset.UtcNow.AddSeconds(-1))).Id);
    return 0;
}
if (args is ["check", var pg, var mq, var campaignArg])
{
    var campaignId = long.Parse(campaignArg);
    await using var seeder = new CampaignSeeder(pg, mq);
    var claims = await seeder.ClaimsAsync(campaignId);
    Console.WriteLine($"ledger rows {claims.Count}, distinct packets {claims.Select(c => c.PacketId).Distinct().Count()}, " +
        $"distinct users {claims.Select(c => c.UserId).Distinct().Count()}, sum {claims.Sum(c => (long)c.AmountCents)} cents, " +
        $"ready in queue {await seeder.ReadyCountAsync(campaignId)}");
    return 0;
}
Console.Error.WriteLine("usage: seed <nginxUrl> <operatorKey> <postgres> <rabbitmq> <users> <packets> <tokensFile> | campaign <postgres> <rabbitmq> <packets> | check <postgres> <rabbitmq> <campaignId>");
return 2;
