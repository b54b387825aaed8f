using ElasticRedPacket.ServiceDefaults.Caching;
using ElasticRedPacket.ServiceDefaults.Data;

namespace ElasticRedPacket.Account.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.AddPostgres();
        builder.AddRedis();
    }
}
