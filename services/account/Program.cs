using ElasticRedPacket.Account.Apis;
using ElasticRedPacket.Account.Extensions;
using ElasticRedPacket.ServiceDefaults.Telemetry;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ServiceNames.Account);
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapAccountApi();
app.MapVerifyApi();
app.Run();

/// <summary>Entry point type, visible to WebApplicationFactory in the functional tests.</summary>
public partial class Program;
