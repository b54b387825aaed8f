using System.Diagnostics;
using System.Text;

namespace ElasticRedPacket.Capacity.Tests;

/// <summary>
/// The harness prints a progress line a second after its load starts ("[   1s] ..."): this writer
/// notes when the first one arrives, so the scale schedule can run on the load's clock.
/// </summary>
internal sealed class LoadStartWatcher : TextWriter
{
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource<long> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override Encoding Encoding => Encoding.UTF8;

    /// <summary>Stopwatch timestamp of the load's start (the first progress line minus one second).</summary>
    public Task<long> LoadStarted => _started.Task;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public override void Write(char value)
    {
        lock (_log)
        {
            _log.Append(value);
        }
    }

    public override void WriteLine(string? value)
    {
        if (value is not null && value.StartsWith('[') && value.Contains("s] ", StringComparison.Ordinal))
        {
            _started.TrySetResult(Stopwatch.GetTimestamp() - Stopwatch.Frequency);
        }
        lock (_log)
        {
            _log.AppendLine(value);
        }
    }

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }
}
