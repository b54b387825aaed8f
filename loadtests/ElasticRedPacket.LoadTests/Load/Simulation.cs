namespace ElasticRedPacket.LoadTests.Load;

/// <summary>
/// One phase of load, in the spirit of NBomber's simulations. Open model: <see cref="Inject"/> and
/// <see cref="RampingInject"/> start requests at a rate whatever the answers do. Closed model:
/// <see cref="KeepConstant"/> keeps N virtual users each sending its next request when the last
/// one answered. <see cref="Pause"/> sends nothing. A warm-up phase is run but not measured.
/// </summary>
public abstract record Simulation(TimeSpan During)
{
    public bool IsWarmUp { get; init; }

    public abstract string Describe();

    public static string Format(TimeSpan value) => value.TotalSeconds >= 1 && value.Milliseconds == 0
        ? value.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture) + "s"
        : value.TotalMilliseconds.ToString("0.##", CultureInfo.InvariantCulture) + "ms";
}

/// <summary>Open model: <paramref name="Rate"/> requests per second for <paramref name="During"/>.</summary>
public sealed record Inject(double Rate, TimeSpan During) : Simulation(During)
{
    public override string Describe() => $"inject {Rate.ToString("0.##", CultureInfo.InvariantCulture)}/s for {Format(During)}";
}

/// <summary>Open model: the rate moves linearly from <paramref name="From"/> to <paramref name="To"/> requests per second over <paramref name="During"/>.</summary>
public sealed record RampingInject(double From, double To, TimeSpan During) : Simulation(During)
{
    public override string Describe() => $"ramp {From.ToString("0.##", CultureInfo.InvariantCulture)}/s -> {To.ToString("0.##", CultureInfo.InvariantCulture)}/s over {Format(During)}";
}

/// <summary>Closed model: <paramref name="Users"/> virtual users, each looping request after request, for <paramref name="During"/>.</summary>
public sealed record KeepConstant(int Users, TimeSpan During) : Simulation(During)
{
    public override string Describe() => $"keep {Users} users for {Format(During)}";
}

/// <summary>No load for <paramref name="During"/>.</summary>
public sealed record Pause(TimeSpan During) : Simulation(During)
{
    public override string Describe() => $"pause {Format(During)}";
}
