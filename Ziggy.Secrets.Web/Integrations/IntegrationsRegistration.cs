namespace Ziggy.Secrets.Web.Integrations;

public static class IntegrationsRegistration
{
    public static IServiceCollection AddZiggyIntegrations(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<IntegrationOptions>(configuration.GetSection(IntegrationOptions.Section));
        services.AddSingleton<IntegrationHttpClient>();
        services.AddScoped<IntegrationService>();
        return services;
    }
}
