namespace ElasticRedPacket.TestSupport;

/// <summary>
/// The servers the test command started (deploy/local/test.sh writes their addresses and generated
/// credentials to stack.env). ERP_STACK_ENV names the file; otherwise .local/test/stack.env.
/// </summary>
public sealed class StackEnvironment
{
    private static readonly Lazy<StackEnvironment> Instance = new(Load);
    private readonly Dictionary<string, string> _values;

    private StackEnvironment(Dictionary<string, string> values) => _values = values;

    public static StackEnvironment Current => Instance.Value;

    public static string RepoRoot { get; } = FindRepoRoot();

    public string Postgres => this["ERP_POSTGRES"];

    public string Redis => this["ERP_REDIS"];

    public string RabbitMq => this["ERP_RABBITMQ"];

    /// <summary>RabbitMQ's management HTTP API, with the stack's user in the URL.</summary>
    public string RabbitMqManagement => this["ERP_RABBITMQ_MANAGEMENT"];

    public string TokenKey => this["ERP_TOKEN_KEY"];

    public string OperatorKey => this["ERP_OPERATOR_KEY"];

    /// <summary>The ingress (nginx) in front of every service replica.</summary>
    public Uri NginxUrl => new(this["ERP_NGINX_URL"]);

    public string DataDir => this["ERP_DATA_DIR"];

    public int PortBase => int.Parse(this["ERP_PORT_BASE"], System.Globalization.CultureInfo.InvariantCulture);

    public string this[string key] => _values.TryGetValue(key, out var value)
        ? value
        : throw new InvalidOperationException($"{key} is not in the stack environment; run the tests with deploy/local/test.sh");

    /// <summary>Configuration for an in-process service host (WebApplicationFactory) against the same servers.</summary>
    public Dictionary<string, string?> ServiceConfiguration() => new()
    {
        ["ConnectionStrings:Postgres"] = Postgres,
        ["ConnectionStrings:Redis"] = Redis,
        ["ConnectionStrings:RabbitMQ"] = RabbitMq,
        ["Auth:TokenKey"] = TokenKey,
        ["Auth:OperatorKey"] = OperatorKey,
        ["Services:AccountUrl"] = $"http://127.0.0.1:{PortBase + 81}",
    };

    private static StackEnvironment Load()
    {
        var path = Environment.GetEnvironmentVariable("ERP_STACK_ENV") ?? Path.Combine(RepoRoot, ".local", "test", "stack.env");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} not found: the tests need the servers that deploy/local/test.sh starts");
        }
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(path))
        {
            var separator = line.IndexOf('=', StringComparison.Ordinal);
            if (line.StartsWith('#') || separator <= 0)
            {
                continue;
            }
            values[line[..separator]] = line[(separator + 1)..].Trim('\'');
        }
        return new StackEnvironment(values);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ElasticRedPacket.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("ElasticRedPacket.sln not found above " + AppContext.BaseDirectory);
    }
}
