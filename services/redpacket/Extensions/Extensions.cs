using ElasticRedPacket.ServiceDefaults.Data;
using ElasticRedPacket.ServiceDefaults.Messaging;

namespace ElasticRedPacket.RedPacket.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.AddPostgres();
        builder.AddRabbitMq();
    }
}
