namespace ElasticRedPacket.LoadTests.Cli;

/// <summary>Parses <c>&lt;scenario&gt; [--option value]...</c>; every mistake is a <see cref="UsageException"/> naming the option.</summary>
public static class OptionParser
{
    public static readonly IReadOnlyList<string> Scenarios = ["grab-peak", "holiday-spike", "operator", "trivial"];

    public static RunOptions Parse(IReadOnlyList<string> args)
    {
        var options = new RunOptions { CommandLine = Mask(args) };
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) && arg != "-h")
            {
                if (options.Scenario.Length > 0)
                {
                    throw new UsageException($"unexpected argument '{arg}' (the scenario is already '{options.Scenario}')");
                }
                options.Scenario = arg;
                continue;
            }
            var name = arg;
            string? inline = null;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = arg[..equals];
                inline = arg[(equals + 1)..];
            }
            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }
                if (i + 1 >= args.Count)
                {
                    throw new UsageException($"{name} needs a value");
                }
                return args[++i];
            }
            switch (name)
            {
                case "--help" or "-h": options.Help = true; break;
                case "--stack-env": options.StackEnv = Value(); break;
                case "--url": options.Url = ParseUrl(Value(), name); break;
                case "--operator-key": options.OperatorKey = Value(); break;
                case "--postgres": options.Postgres = Value(); break;
                case "--rabbitmq": options.RabbitMq = Value(); break;
                case "--rabbitmq-management": options.RabbitManagement = ParseSecretUrl(Value(), name); break;
                case "--rate": options.Rate = Positive(Value(), name); break;
                case "--base-rate": options.BaseRate = Positive(Value(), name); break;
                case "--duration": options.Duration = NonZero(Durations.Parse(Value(), name), name); break;
                case "--base-duration": options.BaseDuration = NonZero(Durations.Parse(Value(), name), name); break;
                case "--warmup": options.Warmup = Durations.Parse(Value(), name); break;
                case "--users": options.VirtualUsers = (int)Positive(Value(), name); break;
                case "--phases": options.Phases = Value(); break;
                case "--accounts": options.Accounts = (int)Positive(Value(), name); break;
                case "--user-id-from": options.UserIdFrom = (long)Positive(Value(), name); break;
                case "--login-parallelism": options.LoginParallelism = (int)Positive(Value(), name); break;
                case "--packets": options.Packets = (int)Positive(Value(), name); break;
                case "--batches": options.Batches = (int)Positive(Value(), name); break;
                case "--interval": options.Interval = Durations.Parse(Value(), name); break;
                case "--total-cents": options.TotalCents = (long)Positive(Value(), name); break;
                case "--start-delay": options.StartDelay = Durations.Parse(Value(), name); break;
                case "--await-release": options.AwaitRelease = NonZero(Durations.Parse(Value(), name), name); break;
                case "--operator-every": options.OperatorEvery = (int)Positive(Value(), name); break;
                case "--issue-every": options.IssueEvery = (int)Positive(Value(), name); break;
                case "--path": options.TrivialPath = Value(); break;
                case "--max-in-flight": options.MaxInFlight = (int)Positive(Value(), name); break;
                case "--connections": options.Connections = (int)Positive(Value(), name); break;
                case "--timeout": options.Timeout = NonZero(Durations.Parse(Value(), name), name); break;
                case "--slo": options.Slo.Add(Value()); break;
                case "--slo-file": options.SloFile = Value(); break;
                case "--no-audit": options.NoAudit = true; break;
                case "--audit-wait": options.AuditWait = Durations.Parse(Value(), name); break;
                case "--audit-settle": options.AuditSettle = Durations.Parse(Value(), name); break;
                case "--audit-cut-off": options.AuditCutOff = NonNegative(Value(), name); break;
                case "--out": options.Out = Value(); break;
                case "--quiet": options.Quiet = true; break;
                case "--close-after": options.CloseAfter = true; break;
                default: throw new UsageException($"unknown option '{name}' (see --help)");
            }
        }
        if (!options.Help)
        {
            if (options.Scenario.Length == 0)
            {
                throw new UsageException($"name a scenario: {string.Join(", ", Scenarios)}");
            }
            if (!Scenarios.Contains(options.Scenario))
            {
                throw new UsageException($"unknown scenario '{options.Scenario}' (known: {string.Join(", ", Scenarios)})");
            }
            if (options.Batches > options.Packets)
            {
                throw new UsageException("--batches must not exceed --packets");
            }
            if (options.Interval.Ticks % TimeSpan.TicksPerSecond != 0)
            {
                throw new UsageException("--interval: campaigns release batches in whole seconds (e.g. 2s)");
            }
            if (options.TotalCents < options.Packets)
            {
                throw new UsageException("--total-cents must be at least --packets (every packet holds at least 1 cent)");
            }
        }
        return options;
    }

    private static readonly string[] Secrets = ["--operator-key", "--postgres", "--rabbitmq", "--rabbitmq-management"];

    /// <summary>The arguments joined, with the values of options that carry credentials replaced by ***.</summary>
    internal static string Mask(IReadOnlyList<string> args)
    {
        var masked = new List<string>(args.Count);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var secret = Secrets.FirstOrDefault(s => arg == s || arg.StartsWith(s + "=", StringComparison.Ordinal));
            if (secret is null)
            {
                masked.Add(arg.Contains(' ', StringComparison.Ordinal) ? $"\"{arg}\"" : arg);
            }
            else if (arg == secret)
            {
                masked.Add(arg);
                if (i + 1 < args.Count)
                {
                    masked.Add("***");
                    i++;
                }
            }
            else
            {
                masked.Add(secret + "=***");
            }
        }
        return string.Join(' ', masked);
    }

    private static double Positive(string text, string name) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value)
            ? value
            : throw new UsageException($"{name}: '{text}' is not a positive number");

    private static long NonNegative(string text, string name) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"{name}: '{text}' is not a whole number >= 0");

    private static TimeSpan NonZero(TimeSpan value, string name) =>
        value > TimeSpan.Zero ? value : throw new UsageException($"{name} must be longer than 0");

    // The value carries a password: the message does not repeat it.
    private static string ParseSecretUrl(string text, string name) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? text
            : throw new UsageException($"{name}: not an http(s) URL (expected http://user:password@host:port/)");

    private static Uri ParseUrl(string text, string name) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new UsageException($"{name}: '{text}' is not an http(s) URL");
}
