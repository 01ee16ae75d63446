using Microsoft.AspNetCore.Authorization;
using Ziggy.Secrets.Web.Authorization;

namespace Ziggy.Secrets.Web.Secrets;

public static class SecretsRegistration
{
    public static IServiceCollection AddZiggySecrets(this IServiceCollection services)
    {
        services.AddSingleton<IAuthorizationHandler, OwnerOrAdminAuthorizationHandler>();
        services.AddScoped<SecretService>();
        services.AddScoped<SecretValueResolver>();
        return services;
    }
}
