using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ElasticRedPacket.ServiceDefaults.Health;

/// <summary>A readiness probe of one dependency: healthy when the probe returns, unhealthy when it throws.</summary>
public sealed class DelegateHealthCheck(Func<CancellationToken, Task> probe) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await probe(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }
}
