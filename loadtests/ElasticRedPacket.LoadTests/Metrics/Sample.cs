namespace ElasticRedPacket.LoadTests.Metrics;

/// <summary>What one request produced: its outcome index (in the scenario's OutcomeSet), HTTP status (0: no answer) and body bytes.</summary>
public readonly record struct Sample(int Outcome, int StatusCode, int BytesSent, int BytesReceived);
