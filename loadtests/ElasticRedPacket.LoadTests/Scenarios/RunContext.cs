using ElasticRedPacket.LoadTests.Cli;
using ElasticRedPacket.LoadTests.Client;

namespace ElasticRedPacket.LoadTests.Scenarios;

/// <summary>What a scenario works with: the options, the resolved endpoints and credentials, the load's HttpClient and a set-up client.</summary>
public sealed record RunContext(
    RunOptions Options, Uri Ingress, string? DataDir, string? OperatorKey, string? Postgres, string? RabbitMq, string? RabbitManagement, LoadConnection Load, ErpClient Setup, TextWriter Log);
