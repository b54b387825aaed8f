using ElasticRedPacket.LoadTests;
using ElasticRedPacket.LoadTests.Cli;
using ElasticRedPacket.LoadTests.Client;

// The load-test harness's command line: see HelpText (or --help) and docs/loadtest.md.
RunOptions options;
try
{
    options = OptionParser.Parse(args);
}
catch (UsageException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine("run with --help for the options");
    return LoadTestRunner.HarnessError;
}
if (options.Help)
{
    Console.WriteLine(HelpText.Text);
    return 0;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl+C stops the load and still audits and reports; a second one kills the process.
    e.Cancel = !cancel.IsCancellationRequested;
    cancel.Cancel();
};
try
{
    var result = await LoadTestRunner.RunAsync(options, Console.Out, cancel.Token);
    return result.ExitCode;
}
catch (Exception ex) when (ex is UsageException or HarnessException or HttpRequestException or TaskCanceledException
    or Npgsql.NpgsqlException or RabbitMQ.Client.Exceptions.BrokerUnreachableException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return LoadTestRunner.HarnessError;
}
