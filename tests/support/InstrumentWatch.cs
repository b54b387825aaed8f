using System.Diagnostics.Metrics;

namespace ElasticRedPacket.TestSupport;

/// <summary>
/// Sums what is recorded on one instrument of one meter, to wait until something was. scope: the host's
/// IMeterFactory, to count only that host's meter (tests run several hosts in one process).
/// </summary>
public sealed class InstrumentWatch : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _total;

    public InstrumentWatch(string meterName, string instrumentName, object? scope = null)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName && instrument.Name == instrumentName && (scope is null || instrument.Meter.Scope == scope))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
        _listener.SetMeasurementEventCallback<int>((_, value, _, _) => Interlocked.Add(ref _total, value));
        _listener.Start();
    }

    public long Total => Interlocked.Read(ref _total);

    /// <summary>Polls until something was recorded; false after the timeout.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Total == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        return Total > 0;
    }

    public void Dispose() => _listener.Dispose();
}
