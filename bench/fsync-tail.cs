#:property PublishAot=false
// How long a durable write takes on this machine's disk, and how long it takes in its worst moments:
// every claim batch waits for one (PostgreSQL's COMMIT flushes the WAL), so one slow flush holds every
// grab that is claiming then. Writes 8 kB blocks one after another into a 16 MB file and calls
// fdatasync after each, as the WAL writer does, one every 2 ms (about PostgreSQL's commit rate at
// 10,000 grabs/s; 0 = back to back, which measures the disk saturated instead). Prints a line a second
// and at the end the percentiles, how many flushes passed 10/20/50 ms and the five slowest with their
// UTC times (to match them to a load test's seconds). Deletes its file.
//   dotnet run bench/fsync-tail.cs -- [seconds 1-300, default 10] [directory, default the temp directory] [interval ms 0-100, default 2]
// Give it the stack's data folder to measure the disk PostgreSQL writes to.
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

var seconds = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var s) && s is >= 1 and <= 300 ? s
    : args.Length > 0 ? Fail("seconds must be a whole number from 1 to 300") : 10;
var directory = args.Length > 1 ? args[1] : Path.GetTempPath();
var interval = args.Length > 2 && int.TryParse(args[2], CultureInfo.InvariantCulture, out var i) && i is >= 0 and <= 100 ? i
    : args.Length > 2 ? Fail("interval must be a whole number of milliseconds from 0 to 100") : 2;
if (!Directory.Exists(directory))
{
    return Fail($"directory {directory} does not exist");
}

const int Block = 8192;
const long FileSize = 16L << 20;
var path = Path.Combine(directory, $"fsync-tail-{Environment.ProcessId}.tmp");
var block = new byte[Block];
Random.Shared.NextBytes(block);
var flushes = new List<(DateTime At, double Ms)>(seconds * 4096);
using (var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose, FileSize))
{
    var fd = (int)file.DangerousGetHandle();
    var end = Stopwatch.GetTimestamp() + seconds * Stopwatch.Frequency;
    var nextReport = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
    long offset = 0;
    var reported = 0;
    var due = Stopwatch.GetTimestamp();
    while (Stopwatch.GetTimestamp() < end)
    {
        while (interval > 0 && Stopwatch.GetTimestamp() < due)
        {
            Thread.Sleep(1);
        }
        due += interval * Stopwatch.Frequency / 1000;
        var started = Stopwatch.GetTimestamp();
        RandomAccess.Write(file, block, offset);
        if (Native.fdatasync(fd) != 0)
        {
            return Fail($"fdatasync failed: errno {Marshal.GetLastPInvokeError()}");
        }
        flushes.Add((DateTime.UtcNow, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
        offset = (offset + Block) % FileSize;
        if (Stopwatch.GetTimestamp() >= nextReport)
        {
            var second = flushes.Skip(reported).Select(f => f.Ms).ToList();
            Console.WriteLine(FormattableString.Invariant($"{DateTime.UtcNow:HH:mm:ss} {second.Count,6} flushes, slowest {second.Max(),7:0.0} ms"));
            reported = flushes.Count;
            nextReport += Stopwatch.Frequency;
        }
    }
}

var sorted = flushes.Select(f => f.Ms).Order().ToArray();
double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
Console.WriteLine(FormattableString.Invariant(
    $"{sorted.Length} flushes of {Block} bytes in {seconds} s, one every {interval} ms, in {directory}: p50 {At(0.50):0.000} ms, p99 {At(0.99):0.000} ms, p99.9 {At(0.999):0.000} ms, max {sorted[^1]:0.0} ms"));
Console.WriteLine(FormattableString.Invariant(
    $"over 10 ms: {sorted.Count(m => m > 10)}, over 20 ms: {sorted.Count(m => m > 20)}, over 50 ms: {sorted.Count(m => m > 50)}"));
Console.WriteLine("slowest: " + string.Join(", ", flushes.OrderByDescending(f => f.Ms).Take(5)
    .Select(f => FormattableString.Invariant($"{f.Ms:0.0} ms at {f.At:HH:mm:ss.fff}"))));
return 0;

static int Fail(string message)
{
    Console.Error.WriteLine("fsync-tail: " + message);
    Environment.Exit(2);
    return 2;
}

internal static partial class Native
{
    [DllImport("libc", SetLastError = true)]
    internal static extern int fdatasync(int fd);
}
