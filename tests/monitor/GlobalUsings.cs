global using ElasticRedPacket.Monitor.Tests.Support;
