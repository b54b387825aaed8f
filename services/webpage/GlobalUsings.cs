global using ElasticRedPacket.ServiceDefaults;
