using ElasticRedPacket.Account.Apis;
using ElasticRedPacket.Account.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("account");
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapAccountApi();
app.MapVerifyApi();
app.Run();

/// <summary>Entry point type, visible to WebApplicationFactory in the functional tests.</summary>
public partial class Program;
