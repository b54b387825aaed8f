global using ElasticRedPacket.ServiceDefaults;
global using Microsoft.Extensions.Options;
