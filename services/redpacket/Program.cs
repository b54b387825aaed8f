using ElasticRedPacket.RedPacket.Apis;
using ElasticRedPacket.RedPacket.Extensions;
using ElasticRedPacket.ServiceDefaults.Telemetry;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ServiceNames.RedPacket);
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGrabApi();
app.Run();

/// <summary>Entry point type, visible to WebApplicationFactory in the functional tests.</summary>
public partial class Program;
