using System.Diagnostics;

namespace ElasticRedPacket.ServiceDefaults.Tests;

/// <summary>
/// deploy/local/lib.sh's pid bookkeeping, run in a scratch data folder: a recorded pid is signalled only
/// while it is still the process the stack started (pid reuse), and test.sh's leftover check sees survivors.
/// </summary>
public sealed class StopPidTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("erp-stoppid-").FullName;
    private readonly List<Process> _started = [];

    [Fact]
    public async Task StopPid_PidNowAnotherProgram_ForgetsItWithoutSignalling()
    {
        var stranger = Start("sleep", "60"); // what the kernel could hand a crashed redis's pid to
        await RecordAsync("redis", stranger.Id);

        var log = await LibAsync("stop_pid redis 5");

        Assert.False(stranger.HasExited, "stop_pid signalled a process the stack did not start");
        Assert.False(File.Exists(PidFile("redis")), "the stale pid file was kept");
        Assert.Contains("forgetting it", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StopPid_PidStillOurs_StopsIt()
    {
        var ours = Start("bash", "-c", "exec -a redis-server sleep 60"); // looks like the redis the stack started
        await RecordAsync("redis", ours.Id);

        await LibAsync("stop_pid redis 5");

        Assert.True(ours.WaitForExit(5000), "stop_pid left the recorded process running");
        Assert.False(File.Exists(PidFile("redis")));
    }

    [Fact]
    public async Task StillRunning_RecordedProcessOutlivesStop_ReportsIt()
    {
        var ours = Start("bash", "-c", "exec -a redis-server sleep 60");
        await RecordAsync("redis", ours.Id);

        // The recorded list is taken, the pid file vanishes without the process stopping (what a broken stop would do).
        var output = await LibAsync("list=$(stack_processes); rm -f \"$PID_DIR/redis.pid\"; still_running \"$list\" 1 || echo LEFT", allowFailure: true);

        Assert.Contains($"redis pid {ours.Id}", output, StringComparison.Ordinal);
        Assert.Contains("LEFT", output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var process in _started)
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
            process.Dispose();
        }
        Directory.Delete(_dataDir, recursive: true);
    }

    private string PidFile(string name) => Path.Combine(_dataDir, "pids", name + ".pid");

    private async Task RecordAsync(string name, int pid)
    {
        Directory.CreateDirectory(Path.Combine(_dataDir, "pids"));
        await File.WriteAllTextAsync(PidFile(name), pid.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
        await Task.Delay(100); // bash -c has exec'd, so the cmdline is the final one
    }

    private Process Start(string file, params string[] arguments)
    {
        var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        _started.Add(process);
        return process;
    }

    private async Task<string> LibAsync(string script, bool allowFailure = false)
    {
        var lib = Path.Combine(StackEnvironment.RepoRoot, "deploy", "local", "lib.sh");
        var start = new ProcessStartInfo("bash", ["-c", $"source '{lib}'; {script}"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ERP_STACK"] = "stoppid-test";
        start.Environment["ERP_DATA_DIR"] = _dataDir;
        using var bash = Process.Start(start)!;
        var output = await bash.StandardOutput.ReadToEndAsync();
        var error = await bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync();
        Assert.True(allowFailure || bash.ExitCode == 0, $"{script}: exit {bash.ExitCode}: {output}{error}");
        return output + error;
    }
}
