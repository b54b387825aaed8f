using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ElasticRedPacket.ServiceDefaults.Health;

/// <summary>
/// Readiness goes false as soon as the host begins to stop (SIGTERM, scale-in), so load balancers
/// stop sending new work while in-flight requests finish.
/// </summary>
public sealed class DrainState : IHealthCheck
{
    private volatile bool _draining;

    public bool IsDraining => _draining;

    public void BeginDrain() => _draining = true;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_draining ? HealthCheckResult.Unhealthy("draining") : HealthCheckResult.Healthy());
}
