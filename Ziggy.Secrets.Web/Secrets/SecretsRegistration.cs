using Microsoft.AspNetCore.Authorization;
using Ziggy.Secrets.Web.Authorization;

namespace Ziggy.Secrets.Web.Secrets;

public static class SecretsRegistration
{
    public static IServiceCollection AddZiggySecrets(this IServiceCollection services)
    {
        services.AddSingleton<IAuthorizationHandler, OwnerOrAdminAuthorizationHandler>();
        services.AddScoped<SecretService>();
        services.AddScoped<BulkSecretService>();
        services.AddScoped<ValueHistory>();
        services.AddScoped<Imports.ImportService>();
        services.AddOptions<HistoryOptions>().BindConfiguration(HistoryOptions.Section)
            .Validate(o => o.KeepVersions >= 1, "Ziggy:History:KeepVersions must be at least 1.")
            .Validate(o => o.KeepDays >= 0, "Ziggy:History:KeepDays must be 0 or more.")
            .ValidateOnStart();
        services.AddScoped<SecretValueResolver>();
        services.AddScoped<TrashService>();
        services.AddOptions<TrashOptions>().BindConfiguration(TrashOptions.Section)
            .Validate(o => o.KeepDays is >= 1 and <= 3650, $"{TrashOptions.Section}:KeepDays must be a number of days from 1 to 3650.").ValidateOnStart();
        services.AddSingleton<TrashPurgeJob>();
        services.AddHostedService(provider => provider.GetRequiredService<TrashPurgeJob>());
        return services;
    }
}
