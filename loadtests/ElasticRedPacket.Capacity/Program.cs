using ElasticRedPacket.Capacity;
using ElasticRedPacket.Capacity.Cli;
using ElasticRedPacket.LoadTests.Cli;

// Exit codes: 0 the manifests as they are keep p99 within the SLO, 1 they do not (the report says
// what to change), 3 a usage or input error.
try
{
    var options = CapacityOptions.Parse(args);
    if (options.Help)
    {
        Console.WriteLine(CapacityOptions.Usage);
        return 0;
    }
    return CapacityRunner.Run(options, Console.Out);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"erp-capacity: {e.Message}");
    Console.Error.WriteLine("erp-capacity --help lists the options");
    return 3;
}
