using System.ComponentModel.DataAnnotations;

namespace ElasticRedPacket.ServiceDefaults.Auth;

/// <summary>Auth:TokenKey signs bearer tokens (account) and checks them (redpacket, degraded); Auth:OperatorKey guards operator endpoints.</summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string Section = "Auth";

    [Required]
    public string TokenKey { get; set; } = "";

    [Required]
    [MinLength(16)]
    public string OperatorKey { get; set; } = "";

    /// <summary>How long a login token stays valid.</summary>
    [Range(60, 7 * 24 * 3600)]
    public int TokenLifetimeSeconds { get; set; } = 3600;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!TokenSigner.TryDecodeKey(TokenKey, out _))
        {
            yield return new ValidationResult("must be base64 of at least 32 bytes", [nameof(TokenKey)]);
        }
    }
}
