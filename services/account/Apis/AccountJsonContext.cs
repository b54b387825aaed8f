using System.Text.Json;
using System.Text.Json.Serialization;

namespace ElasticRedPacket.Account.Apis;

/// <summary>Source-generated JSON for the hot verify path (no reflection per request).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(VerifyRequest))]
[JsonSerializable(typeof(VerifyResponse))]
[JsonSerializable(typeof(VerifyBatchRequest))]
[JsonSerializable(typeof(VerifyBatchResponse))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(LoginResponse))]
internal sealed partial class AccountJsonContext : JsonSerializerContext;
