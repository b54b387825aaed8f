using System.Diagnostics;

namespace ElasticRedPacket.RedPacket.Services;

/// <summary>How much longer a batch should gather before it goes: the window less what its oldest item has waited.</summary>
public static class Gather
{
    public static TimeSpan Left(TimeSpan window, long oldestQueuedAt) =>
        window <= TimeSpan.Zero ? TimeSpan.Zero : window - Stopwatch.GetElapsedTime(oldestQueuedAt);
}
