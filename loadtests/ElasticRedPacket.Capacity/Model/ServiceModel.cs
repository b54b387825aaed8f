namespace ElasticRedPacket.Capacity.Model;

/// <summary>Where a KEDA queue-length trigger's messages come from in the simulation.</summary>
public enum QueueSource
{
    /// <summary>Packets released by the campaign (--release) and claimed by served grabs (redpacket).</summary>
    Packets,

    /// <summary>The service's own backlog of unserved work (monitor's outcome events).</summary>
    Backlog,
}

/// <summary>
/// The measured figures of one service that the simulation needs (per replica, from the load harness
/// or the command line).
/// </summary>
/// <param name="CapacityPerReplica">requests/s one ready replica completes with p99 within the SLO (the M/M/c service rate mu).</param>
/// <param name="CpuSecondsPerRequest">CPU time per request (what the HPA's CPU metric sees).</param>
/// <param name="StartSeconds">from pod creation to the container running (image pull + start): Pending until then.</param>
/// <param name="ReadySeconds">from pod creation to Ready (start + readiness).</param>
/// <param name="BaseP99Ms">p99 at light load (no queueing): the floor of the predicted p99.</param>
/// <param name="RequestsPerGrab">this service's requests per request of the profile (account: 1 verify per grab).</param>
/// <param name="TimeoutSeconds">a request waiting longer fails (the client's timeout); null: work waits (a queue consumer).</param>
public sealed record ServiceModel(
    string Service,
    double CapacityPerReplica,
    double CpuSecondsPerRequest,
    double StartSeconds,
    double ReadySeconds,
    double BaseP99Ms,
    double RequestsPerGrab = 1,
    double? TimeoutSeconds = 10,
    QueueSource? QueueSource = null);
