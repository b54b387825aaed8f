using ElasticRedPacket.Capacity.Autoscaling;
using ElasticRedPacket.Capacity.Manifests;
using ElasticRedPacket.Capacity.Model;

namespace ElasticRedPacket.Capacity.Simulator;

/// <summary>
/// Simulates one service second by second: traffic into the ready pods (a fluid backlog plus the M/M/c
/// tail, requests waiting past the timeout shed), metrics-server scrapes, RabbitMQ's statistics
/// ticks, KEDA's polling, and the HPA's sync every period with the real controller logic
/// (<see cref="HorizontalController"/>, <see cref="ReplicaCalculator"/>, <see cref="PodGrouping"/>).
/// New pods are Pending for StartSeconds and Ready after ReadySeconds; removed pods stop serving at once.
/// </summary>
public sealed class ServiceSimulator(AutoscalerSpec autoscaler, DeploymentCpu cpu, ServiceModel model, SimulationSettings settings)
{
    private sealed class Pod(double created, double running, double ready)
    {
        public double Created { get; } = created;
        public double RunningAt { get; } = running;
        public double ReadyAt { get; } = ready;
        public bool Deleted { get; set; }
        public PodMetric? Metric { get; set; }
    }

    /// <summary>Requests/s one ready pod completes: the measured capacity, or less if its CPU limit caps it.</summary>
    public double ServiceRate => cpu.LimitMilliCores > 0 && model.CpuSecondsPerRequest > 0
        ? Math.Min(model.CapacityPerReplica, cpu.LimitMilliCores / 1000.0 / model.CpuSecondsPerRequest)
        : model.CapacityPerReplica;

    public SimulationResult Run(TrafficProfile profile)
    {
        var prelude = settings.PreludeSeconds;
        var length = profile.Rates.Count;
        double RateAt(int t) => (t < 0 ? profile.Rates[0] : profile.Rates[t]) * model.RequestsPerGrab;
        var mu = ServiceRate;
        var controller = new HorizontalController(new ReplicaNormalizer(autoscaler.Behavior, autoscaler.MinReplicas, autoscaler.MaxReplicas));
        var spec = autoscaler.MinReplicas;
        var pods = Enumerable.Range(0, spec).Select(_ => new Pod(-prelude - 3600, -prelude - 3600, -prelude - 3600)).ToList();
        var perPodCores = new double[prelude + length];
        var releases = (settings.Releases ?? []).ToLookup(r => r.Second, r => r.Packets);
        double backlog = 0, packets = 0, statsValue = 0, cachedValue = 0;
        var rows = new List<SecondRow>(length);
        var events = new List<ScaleEvent>();

        for (var t = -prelude; t < length; t++)
        {
            var live = pods.Where(p => !p.Deleted).ToList();
            var ready = live.Count(p => p.ReadyAt <= t);
            var offered = RateAt(t);
            var capacity = ready * mu;
            packets += releases[t].Sum();
            var available = backlog + offered;
            var served = Math.Min(available, capacity);
            backlog = available - served;
            var shed = 0.0;
            if (model.TimeoutSeconds is { } timeout && backlog > timeout * capacity)
            {
                shed = backlog - (timeout * capacity); // these would wait past the client's timeout: failed
                backlog = timeout * capacity;
            }
            if (model.QueueSource == QueueSource.Packets)
            {
                packets -= Math.Min(packets, served);
            }
            perPodCores[t + prelude] = ready == 0 ? 0 : served / ready * model.CpuSecondsPerRequest;
            var queueNow = model.QueueSource == QueueSource.Packets ? packets : backlog;
            var utilisation = capacity > 0 ? offered / capacity : offered > 0 ? double.PositiveInfinity : 0;
            var p99 = PredictP99Ms(ready, offered, mu, backlog);

            // The end of second t: scrapes, statistics, polls and the sync happen at boundary b.
            var b = t + 1;
            if (Mod(b, settings.MetricWindowSeconds) == 0)
            {
                Scrape(live, b, perPodCores, prelude);
            }
            if (Mod(b, settings.RabbitStatsIntervalSeconds) == 0)
            {
                statsValue = queueNow;
            }
            if (Mod(b, autoscaler.PollingIntervalSeconds) == 0)
            {
                cachedValue = statsValue;
            }
            string? note = null;
            if (Mod(b, settings.SyncPeriodSeconds) == settings.SyncOffset)
            {
                var proposals = autoscaler.Metrics.Select(m => Propose(m, b, spec, live, queueNow, statsValue, cachedValue)).ToList();
                var decision = controller.Sync(b, spec, proposals);
                if (decision.Replicas != spec)
                {
                    Rescale(pods, live, b, spec, decision.Replicas);
                    note = $"sync: {spec} -> {decision.Replicas} ({decision.Reason})";
                    if (b >= 0)
                    {
                        events.Add(new(b, spec, decision.Replicas, decision.Reason));
                    }
                    spec = decision.Replicas;
                }
            }
            if (t >= 0)
            {
                var cpuPercent = cpu.RequestMilliCores > 0 ? perPodCores[t + prelude] * 100_000 / cpu.RequestMilliCores : 0;
                rows.Add(new(t, offered, live.Count, ready, spec, served, shed, backlog, utilisation, cpuPercent, p99, queueNow, note));
            }
        }
        return new(model.Service, settings.SyncOffset, rows, events, settings.SloP99Ms);
    }

    /// <summary>
    /// p99 = the light-load p99 + the wait: the larger of the fluid backlog's wait (backlog / capacity)
    /// and the M/M/c 99th-percentile wait at this second's rate; bounded by the timeout.
    /// </summary>
    public double PredictP99Ms(int ready, double offered, double mu, double backlog)
    {
        var timeoutMs = (model.TimeoutSeconds ?? 3600) * 1000;
        if (offered <= 0 && backlog <= 0)
        {
            return model.BaseP99Ms;
        }
        if (ready == 0)
        {
            return timeoutMs;
        }
        var capacity = ready * mu;
        var fluidWait = backlog / capacity;
        var tailWait = offered < capacity ? Queueing.WaitQuantile(ready, offered, mu, 0.99) : 0;
        return Math.Min(model.BaseP99Ms + (1000 * Math.Max(fluidWait, tailWait)), timeoutMs);
    }

    private MetricProposal? Propose(MetricSpec metric, int now, int spec, List<Pod> live, double queueNow, double statsValue, double cachedValue)
    {
        var status = live.Count;
        switch (metric)
        {
            case CpuUtilizationMetric cpuMetric:
                if (cpu.RequestMilliCores <= 0)
                {
                    return null; // the controller cannot compute utilisation without a request
                }
                var views = live.Select(p => new PodCpu(
                    PodGrouping.Classify(new PodView(p.Created, p.RunningAt <= now, p.ReadyAt <= now, p.ReadyAt <= now ? p.ReadyAt : p.Created), p.Metric, now),
                    p.Metric?.MilliCores, cpu.RequestMilliCores)).ToList();
                return ReplicaCalculator.ResourceUtilization(spec, views, cpuMetric.TargetUtilization, settings.Tolerance);
            case QueueLengthMetric queue:
                // KEDA asks the scaler when the HPA asks (no cache unless useCachedMetrics); over http the
                // management API answers with the figures of its last statistics tick.
                var value = queue.UseCachedMetrics ? cachedValue : queue.Protocol == "amqp" ? queueNow : statsValue;
                return ReplicaCalculator.ExternalAverageValue(status, value, queue.Target, settings.Tolerance);
            case CronMetric cron:
                var desired = settings.CronOrAlways.Contains(now) ? cron.DesiredReplicas : 1;
                return ReplicaCalculator.ExternalAverageValue(status, desired, 1, settings.Tolerance);
            default:
                return null;
        }
    }

    private void Scrape(List<Pod> live, int now, double[] perPodCores, int prelude)
    {
        var window = settings.MetricWindowSeconds;
        foreach (var pod in live)
        {
            if (pod.RunningAt > now - window)
            {
                continue; // metrics-server has no full window for it yet: the HPA sees it as missing
            }
            var sum = 0.0;
            for (var s = now - window; s < now; s++)
            {
                sum += pod.ReadyAt <= s && s + prelude >= 0 ? perPodCores[s + prelude] : 0;
            }
            pod.Metric = new PodMetric((long)(sum / window * 1000), now, window);
        }
    }

    /// <summary>Scale out: new pods now. Scale in: the ReplicaSet deletes not-ready pods first, then the newest.</summary>
    private void Rescale(List<Pod> pods, List<Pod> live, int now, int from, int to)
    {
        if (to > from)
        {
            for (var i = from; i < to; i++)
            {
                pods.Add(new Pod(now, now + model.StartSeconds, now + model.ReadySeconds));
            }
            return;
        }
        foreach (var pod in live.OrderBy(p => p.ReadyAt <= now ? 1 : 0).ThenByDescending(p => p.Created).Take(from - to))
        {
            pod.Deleted = true;
        }
    }

    private static int Mod(int value, int period) => ((value % period) + period) % period;
}
