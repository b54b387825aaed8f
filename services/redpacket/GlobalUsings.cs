global using ElasticRedPacket.ServiceDefaults;
global using ElasticRedPacket.RedPacket.Services;
global using Microsoft.AspNetCore.Http.HttpResults;
global using Microsoft.AspNetCore.Mvc;
global using Microsoft.Extensions.Options;
