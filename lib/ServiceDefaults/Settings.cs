using System.ComponentModel.DataAnnotations;

namespace ElasticRedPacket.ServiceDefaults;

public static class Settings
{
    /// <summary>
    /// Binds <typeparamref name="T"/> from <paramref name="section"/>, validates its data annotations
    /// and fails at start-up with messages that name the full setting path.
    /// </summary>
    public static OptionsBuilder<T> AddSettings<T>(this IServiceCollection services, string section)
        where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new AnnotatedSettingsValidator<T>(section));
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }

    private sealed class AnnotatedSettingsValidator<T>(string section) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var results = new List<ValidationResult>();
            if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
            {
                return ValidateOptionsResult.Success;
            }
            return ValidateOptionsResult.Fail(results.Select(r =>
            {
                var key = $"{section}:{r.MemberNames.FirstOrDefault() ?? "?"}";
                return $"Configuration setting '{key}' (environment variable {RequiredSettings.EnvironmentName(key)}): {r.ErrorMessage}";
            }));
        }
    }
}
