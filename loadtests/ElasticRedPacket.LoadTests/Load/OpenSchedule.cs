namespace ElasticRedPacket.LoadTests.Load;

/// <summary>
/// The intended start times of an open-model phase, computed from the rate alone (never from the
/// answers): request i starts when the integral of the rate reaches i. For a constant rate r that
/// is i / r; for a linear ramp a -> b over d it solves a t + (b - a) t^2 / 2d = i.
/// </summary>
public readonly struct OpenSchedule
{
    private readonly double _from;
    private readonly double _slope;

    public OpenSchedule(double from, double to, TimeSpan during)
    {
        if (from < 0 || to < 0 || during <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(during), "rates must be >= 0 and the duration > 0");
        }
        _from = from;
        _slope = (to - from) / during.TotalSeconds;
        Count = (long)Math.Floor(((from + to) / 2 * during.TotalSeconds) + 1e-9);
    }

    /// <summary>How many requests the phase starts.</summary>
    public long Count { get; }

    /// <summary>Seconds after the phase start at which request <paramref name="index"/> (0-based) is due.</summary>
    public double OffsetSeconds(long index)
    {
        if (Math.Abs(_slope) < 1e-12)
        {
            return index / _from;
        }
        // a t + k t^2 / 2 = i  =>  t = (-a + sqrt(a^2 + 2 k i)) / k
        var discriminant = (_from * _from) + (2 * _slope * index);
        return (-_from + Math.Sqrt(Math.Max(0, discriminant))) / _slope;
    }
}
