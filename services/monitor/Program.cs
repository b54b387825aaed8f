using ElasticRedPacket.Monitor.Apis;
using ElasticRedPacket.Monitor.Extensions;
using ElasticRedPacket.ServiceDefaults.Telemetry;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ServiceNames.Monitor);
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.UseMonitorPage();
app.MapMonitorPage();
app.MapCampaignsApi();
app.Run();

/// <summary>Entry point type, visible to WebApplicationFactory in the functional tests.</summary>
public partial class Program;
