using System.Diagnostics;

namespace ElasticRedPacket.TestSupport;

/// <summary>Runs a deploy/local script (scale.sh, fault.sh, services.sh) against the test stack.</summary>
public static class StackScripts
{
    public static Task RunAsync(string script, params string[] arguments) => RunAsync(new Dictionary<string, string>(), script, arguments);

    /// <summary>Runs the script with extra environment variables; returns what it printed on stdout.</summary>
    public static async Task<string> RunAsync(IReadOnlyDictionary<string, string> environment, string script, params string[] arguments)
    {
        var stack = StackEnvironment.Current;
        var start = new ProcessStartInfo("bash", [Path.Combine(StackEnvironment.RepoRoot, "deploy", "local", script), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ERP_STACK"] = stack["ERP_STACK"];
        start.Environment["ERP_PORT_BASE"] = stack["ERP_PORT_BASE"];
        start.Environment["ERP_DATA_DIR"] = stack.DataDir;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} {string.Join(' ', arguments)} exited {process.ExitCode}: {await output}{await error}");
        }
        return await output;
    }

    /// <summary>How many replicas of a service the stack runs now.</summary>
    public static int Replicas(string service) =>
        int.Parse(File.ReadAllText(Path.Combine(StackEnvironment.Current.DataDir, "replicas", service)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
}
