using ElasticRedPacket.RedPacket.Messaging;

namespace ElasticRedPacket.RedPacket.Tests;

/// <summary>A campaign's prefetch: an eighth of its largest batch, between min(128, Grab:Prefetch) and Grab:Prefetch.</summary>
public sealed class PrefetchTests
{
    [Theory]
    [InlineData(0, 512, 128)]          // batches not known yet: the floor
    [InlineData(300, 512, 128)]        // a small campaign: two replicas cannot take it all between them
    [InlineData(2_000, 512, 250)]      // an eighth of the batch
    [InlineData(300_000, 512, 512)]    // a holiday batch: the maximum
    [InlineData(300_000, 64, 64)]      // an operator's lower maximum wins, also over the floor
    [InlineData(100, 64, 64)]
    public void PrefetchFor_AnEighthOfTheLargestBatchWithinTheBounds(long largestBatch, int maximum, int expected) =>
        Assert.Equal(expected, ConsumerRegistry.PrefetchFor(largestBatch, maximum));
}
