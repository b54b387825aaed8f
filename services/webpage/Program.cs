using ElasticRedPacket.ServiceDefaults.Telemetry;
using ElasticRedPacket.Webpage.Apis;
using ElasticRedPacket.Webpage.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ServiceNames.Webpage);
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.UseGrabPage();
app.MapWebpageApi();
app.Run();

/// <summary>Entry point type, visible to WebApplicationFactory in the functional tests.</summary>
public partial class Program;
