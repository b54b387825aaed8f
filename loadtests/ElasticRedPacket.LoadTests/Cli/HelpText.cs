namespace ElasticRedPacket.LoadTests.Cli;

/// <summary>The --help text (docs/loadtest.md says the same at more length).</summary>
public static class HelpText
{
    public const string Text = """
        ElasticRedPacket load tests: open/closed-model load, latency histograms, SLO verdict, guarantee audit, reports.

        usage: dotnet run --project loadtests/ElasticRedPacket.LoadTests -c Release -- <scenario> [options]

        scenarios:
          grab-peak       users log in, a campaign is issued, grabs at --rate during its batch releases (default 2000/s)
          holiday-spike   like grab-peak, then a 5x step from --base-rate (default rate/5) to --rate (default 10000/s) within 1 s
          operator        grab-peak plus operators reading the monitor and issuing campaigns in the same stream
          trivial         GET a trivial endpoint through the ingress (--path, default /_stack/webpage/healthz; default 5000/s)

        where:
          --stack-env PATH      stack.env of a local stack (default .local/dev/stack.env): ingress, operator key, PostgreSQL, RabbitMQ
          --url URL             the ingress (overrides ERP_NGINX_URL)
          --operator-key KEY    X-Operator-Key (overrides ERP_OPERATOR_KEY; also read from the environment)
          --postgres CONN       audit reads the ledger from PostgreSQL (overrides ERP_POSTGRES); without it, monitor's API
          --rabbitmq-management URL  audit reads ready + unacked counts from RabbitMQ's management API,
                                http://user:password@host:port/ (overrides ERP_RABBITMQ_MANAGEMENT)
          --rabbitmq URI        without a management URL: audit reads only the ready count over AMQP (overrides ERP_RABBITMQ)

        load (open model unless --users):
          --rate N              requests per second                         --duration D   measured length (default 30s)
          --warmup D            unmeasured warm-up at the same load (3s)    --users N      closed model: N virtual users
          --base-rate N         holiday-spike base rate                     --base-duration D  holiday-spike base phase (10s)
          --phases SPEC         explicit phases, comma-separated: inject:RATE:D, ramp:FROM:TO:D, users:N:D, pause:D;
                                prefix warmup: for an unmeasured phase (e.g. warmup:inject:1000:3s,inject:2000:10s,ramp:2000:10000:1s,inject:10000:20s)
          --max-in-flight N     outstanding requests cap; a due request over it is counted "dropped by generator" (4096)
          --connections N       HTTP keep-alive connections to the ingress (512)
          --timeout D           per-request timeout (10s)

        set-up (grab scenarios):
          --accounts N          users created and logged in (10000)        --user-id-from N   first user id (1000000)
          --login-parallelism N concurrent log-ins (64)
          --packets N           packets in the campaign (10000)             --batches N    release batches (10)
          --interval D          between batches (2s)                        --total-cents N  (default 100 per packet)
          --start-delay D       campaign starts this long after issue (1s)
          --await-release D     before the load, wait up to D until monitor reports every packet released: measures
                                the grab path alone, not beside the operator's release (benchmarks); later exit 3
          --close-after         after the audit, close the run's campaign: packets left in its queue cost RabbitMQ
                                in every later run on the same stack (benchmarks)
          --operator-every N    operator: every Nth request is an operator action (100)
          --issue-every N       operator: every Nth operator action issues a campaign, the others read the monitor (20)

        verdict and output:
          --slo RULE            repeatable: p50|p75|p90|p95|p99|p99.9|max|mean[<outcome>] <|<=|>|>= 50ms,
                                error_rate<0.1%, dropped_rate<0.1%, dropped<=0, rps>=9500, status_5xx<1, requests[won]>=1,
                                rss_mb<300 (peak RSS of the largest service process of a local stack)
          --slo-file PATH       JSON: ["p99<50ms", ...] or {"slo": [...]}
                                with several measured phases each is also judged on its own requests, and the report
                                names the highest inject rate every phase met the SLOs up to (rising steps: docs/loadtest.md)
          --no-audit            skip the audit                             --audit-wait D  retry a failing audit this long (15s)
          --audit-settle D      management API counts must hold still this long before a clean audit (6s: longer than
                                they lag the queue; use 11s or more against a broker with RabbitMQ's 5 s defaults)
          --audit-cut-off N     requests a kill -9 may have cut off after the system decided them (0): a ledger row or
                                a monitor count nobody heard is allowed for each, and for each request that got no answer
          --out DIR             report folder (default loadtests/reports/<scenario>-<utc timestamp>/)
          --quiet               no progress lines

        exit codes: 0 pass, 1 an SLO failed, 2 the audit failed, 3 harness error (bad option, set-up failed)
        """;
}
