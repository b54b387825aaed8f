namespace ElasticRedPacket.LoadTests.Cli;

/// <summary>Everything a run can be told on the command line (see HelpText for the meaning and defaults).</summary>
public sealed class RunOptions
{
    public string Scenario { get; set; } = "";

    public string? StackEnv { get; set; }

    public Uri? Url { get; set; }

    public string? OperatorKey { get; set; }

    public string? Postgres { get; set; }

    public string? RabbitMq { get; set; }

    /// <summary>RabbitMQ's management API (with credentials): the audit's ready + unacked counts.</summary>
    public string? RabbitManagement { get; set; }

    /// <summary>Requests per second (open model); the peak rate of holiday-spike.</summary>
    public double? Rate { get; set; }

    public double? BaseRate { get; set; }

    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan? BaseDuration { get; set; }

    public TimeSpan Warmup { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Closed model: this many virtual users instead of a rate.</summary>
    public int? VirtualUsers { get; set; }

    public string? Phases { get; set; }

    public int Accounts { get; set; } = 10_000;

    public long UserIdFrom { get; set; } = 1_000_000;

    public int LoginParallelism { get; set; } = 64;

    public int Packets { get; set; } = 10_000;

    public int Batches { get; set; } = 10;

    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);

    public long? TotalCents { get; set; }

    public TimeSpan StartDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Before the load, wait up to this long until monitor reports every packet released (null: do not wait).</summary>
    public TimeSpan? AwaitRelease { get; set; }

    /// <summary>After the audit, close the run's campaign (monitor expires what is left), so its packets do not burden later runs.</summary>
    public bool CloseAfter { get; set; }

    public int OperatorEvery { get; set; } = 100;

    public int IssueEvery { get; set; } = 20;

    public string TrivialPath { get; set; } = Client.ErpApi.TrivialPath;

    public int MaxInFlight { get; set; } = 4096;

    public int Connections { get; set; } = 512;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public List<string> Slo { get; } = [];

    public string? SloFile { get; set; }

    public bool NoAudit { get; set; }

    public TimeSpan AuditWait { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the management API's counts must hold still: longer than they lag the queue (up to about 5.5 s measured on the local stack).</summary>
    public TimeSpan AuditSettle { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Requests an outside fault (kill -9 of a replica) may have cut off after the system decided them: decided, counted, never heard.</summary>
    public long AuditCutOff { get; set; }

    public string? Out { get; set; }

    public bool Quiet { get; set; }

    public bool Help { get; set; }

    /// <summary>The command line as given, secrets masked (for the report).</summary>
    public string CommandLine { get; set; } = "";
}
