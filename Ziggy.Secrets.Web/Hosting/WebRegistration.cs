using Htmx.TagHelpers;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Tokens;

namespace Ziggy.Secrets.Web.Hosting;

public static class WebRegistration
{
    /// <summary>
    /// The most fields a form may post: an import's Apply posts one per selected row and one per accepted name fix, up to
    /// twice its entry limit (ASP.NET Core's default, 1,024, would refuse a large import).
    /// </summary>
    public const int FormValueCountLimit = 2 * Imports.ImportLimits.MaxEntries + 64;

    public static IServiceCollection AddZiggyWeb(this IServiceCollection services)
    {
        services.AddRazorPages(options =>
        {
            options.Conventions.AuthorizeFolder("/Team", AccountsRegistration.AdminPolicy);
            options.Conventions.AuthorizeFolder("/Audit", AccountsRegistration.AdminPolicy);
            options.Conventions.AuthorizeFolder("/Organizations", AccountsRegistration.SuperAdminPolicy);
            options.Conventions.AllowAnonymousToPage("/Setup/Index");
            options.Conventions.AllowAnonymousToPage("/Account/SignIn");
            options.Conventions.AllowAnonymousToPage("/Account/SignInTwoFactor");
            options.Conventions.AllowAnonymousToPage("/Account/ResetPassword");
            options.Conventions.AllowAnonymousToPage("/Invitations/Accept");
            options.Conventions.AllowAnonymousToPage("/Error");
        }).AddMvcOptions(options =>
        {
            FriendlyBindingMessages.Apply(options.ModelBindingMessageProvider);
            options.ModelValidatorProviders.Insert(0, new NulCharacterValidation());
        });
        services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(options => options.ValueCountLimit = FormValueCountLimit);
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "ziggy.af";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.HeaderName = "RequestVerificationToken";
        });
        return services;
    }

    public static WebApplication UseZiggyWeb(this WebApplication app)
    {
        // First: every cookie of every response, error pages included, follows one rule.
        app.UseHostPrefixedCookies();
        if (!app.Environment.IsDevelopment()) app.UseExceptionHandler("/Error");
        // Before the status-code pages: an unreadable form must be refused once, not re-read by /Error.
        app.UseMiddleware<FormReadGuardMiddleware>();
        app.UseStatusCodePagesWithReExecute("/Error", "?code={0}");
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseMiddleware<SetupGateMiddleware>();
        app.UseMiddleware<TwoFactorGateMiddleware>();
        app.UseAuthorization();
        app.MapStaticAssets().AllowAnonymous();
        app.MapHtmxAntiforgeryScript().AllowAnonymous();
        app.MapZiggyHealth();
        app.MapZiggyTokenApi();
        app.MapRazorPages().WithStaticAssets();
        return app;
    }
}
