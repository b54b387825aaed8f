using ElasticRedPacket.LoadTests.Metrics;

namespace ElasticRedPacket.LoadTests.Load;

/// <summary>What the engine calls for each request. <paramref name="sequence"/> numbers requests from 0 (a target uses it to pick a user).</summary>
public interface ILoadTarget
{
    OutcomeSet Outcomes { get; }

    ValueTask<Sample> ExecuteAsync(long sequence, CancellationToken cancellationToken);
}
