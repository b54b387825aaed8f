using ElasticRedPacket.RedPacket.Apis;
using ElasticRedPacket.RedPacket.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("redpacket");
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGrabApi();
app.Run();

/// <summary>Entry point type, visible to WebApplicationFactory in the functional tests.</summary>
public partial class Program;
