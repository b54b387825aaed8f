namespace ElasticRedPacket.Capacity.Autoscaling;

/// <summary>The outcome of one sync: the new spec replicas and why.</summary>
public sealed record SyncDecision(int Replicas, string Reason);

/// <summary>
/// One HPA's reconcile step (k8s horizontal.go, reconcileAutoscaler): outside [min, max] jump to the
/// bound; otherwise the max over the metrics' proposals (no rescale if every metric failed, or if one
/// failed and the rest ask for fewer replicas), normalized by <see cref="ReplicaNormalizer"/>.
/// </summary>
public sealed class HorizontalController(ReplicaNormalizer normalizer)
{
    public ReplicaNormalizer Normalizer { get; } = normalizer;

    /// <param name="proposals">One entry per metric of the spec: its proposal, or null when the metric could not be computed.</param>
    public SyncDecision Sync(double now, int specReplicas, IReadOnlyList<MetricProposal?> proposals)
    {
        int desired;
        string reason;
        if (specReplicas > Normalizer.MaxReplicas)
        {
            (desired, reason) = (Normalizer.MaxReplicas, "above maxReplicas");
        }
        else if (specReplicas < Normalizer.MinReplicas)
        {
            (desired, reason) = (Normalizer.MinReplicas, "below minReplicas");
        }
        else
        {
            var valid = proposals.OfType<MetricProposal>().ToList();
            var proposed = valid.Count == 0 ? 0 : valid.Max(p => p.Replicas);
            var invalid = proposals.Count - valid.Count;
            if (invalid >= proposals.Count || (invalid > 0 && proposed < specReplicas))
            {
                return new(specReplicas, "metrics unavailable: no change");
            }
            desired = Normalizer.Normalize(now, specReplicas, proposed);
            reason = desired == proposed ? $"metrics ask {proposed}" : $"metrics ask {proposed}, limited to {desired}";
        }
        if (desired != specReplicas)
        {
            Normalizer.RecordScale(now, specReplicas, desired);
        }
        return new(desired, reason);
    }
}
