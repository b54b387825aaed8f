global using ElasticRedPacket.ServiceDefaults;
global using Microsoft.AspNetCore.Mvc;
global using Microsoft.AspNetCore.Http.HttpResults;
global using Microsoft.Extensions.Options;
