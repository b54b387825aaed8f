namespace ElasticRedPacket.Webpage.Extensions;

internal static class Extensions
{
    // The grab page is static: no dependency to wire yet.
    public static void AddApplicationServices(this WebApplicationBuilder builder)
    {
        _ = builder;
    }
}
