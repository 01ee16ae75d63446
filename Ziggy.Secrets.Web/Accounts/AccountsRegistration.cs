using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Ziggy.Secrets.Web.Authorization;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Accounts;

public static class AccountsRegistration
{
    /// <summary>The organization's administration pages (Team, Audit): <see cref="OrganizationOperations.Administer"/>.</summary>
    public const string AdminPolicy = "Admin";

    /// <summary>The Organizations page: <see cref="OrganizationOperations.ManageOrganizations"/>.</summary>
    public const string SuperAdminPolicy = "SuperAdmin";

    public static IServiceCollection AddZiggyAccounts(this IServiceCollection services)
    {
        services.AddIdentityCore<ApplicationUser>(options =>
            {
                // Length is what makes a password strong; composition rules only make it harder to remember.
                options.Password.RequiredLength = 12;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequiredUniqueChars = 1;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
                options.Lockout.AllowedForNewUsers = true;
                options.User.RequireUniqueEmail = true;
                options.User.AllowedUserNameCharacters = "";
                options.SignIn.RequireConfirmedAccount = false;
            })
            .AddEntityFrameworkStores<ZiggyDbContext>()
            .AddSignInManager<ZiggySignInManager>()
            .AddErrorDescriber<ZiggyIdentityErrors>()
            .AddClaimsPrincipalFactory<ZiggyClaimsPrincipalFactory>()
            .AddDefaultTokenProviders()
            // Replaces the default authenticator provider (registered just above) with one that accepts each code once.
            .AddTokenProvider<OnceOnlyAuthenticatorTokenProvider>(TokenOptions.DefaultAuthenticatorProvider);
        services.Replace(ServiceDescriptor.Scoped<ILookupNormalizer, ZiggyLookupNormalizer>());

        services.AddOptions<UserSessionOptions>().BindConfiguration(UserSessionOptions.Section)
            .Validate(o => o.IdleTimeout > TimeSpan.Zero && o.AbsoluteLifetime > TimeSpan.Zero,
                $"{UserSessionOptions.Section}:IdleTimeout and AbsoluteLifetime must be positive durations such as 08:00:00 or 7.00:00:00.")
            .ValidateOnStart();
        services.AddSingleton<DatabaseTicketStore>();

        services.AddAuthentication(IdentityConstants.ApplicationScheme)
            .AddIdentityCookies(cookies => cookies.ApplicationCookie!.Configure<DatabaseTicketStore, IOptions<UserSessionOptions>>((options, store, sessions) =>
            {
                options.LoginPath = "/Account/SignIn";
                options.LogoutPath = "/Account/SignOut";
                options.AccessDeniedPath = "/Account/SignIn";
                options.Cookie.Name = "ziggy.auth";
                // Over HTTPS it is sent as __Host-ziggy.auth, Secure (Hosting/HostPrefixedCookies).
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                // The cookie names a server-side session; the store ends it when idle, and the ticket expires with the
                // session's absolute lifetime (sliding would only move that, so it is off).
                options.SessionStore = store;
                options.ExpireTimeSpan = sessions.Value.AbsoluteLifetime;
                options.SlidingExpiration = false;
                options.Events.OnValidatePrincipal = SessionValidator.ValidatePrincipalAsync;
                options.Events.OnRedirectToLogin = SessionValidator.RedirectToSignInAsync;
                options.Events.OnRedirectToAccessDenied = SessionValidator.RedirectToAccessDeniedAsync;
            }));

        // The password step's note of who passed it, which the code step reads: as strict as the session cookie, and it
        // expires five minutes after the password whatever happens meanwhile.
        services.Configure<CookieAuthenticationOptions>(IdentityConstants.TwoFactorUserIdScheme, options =>
        {
            options.Cookie.Name = "ziggy.2fa";
            // Over HTTPS it is sent as __Host-ziggy.2fa, Secure (Hosting/HostPrefixedCookies).
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.ExpireTimeSpan = TimeSpan.FromMinutes(5);
            options.SlidingExpiration = false;
        });

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(AdminPolicy, p => p.AddRequirements(OrganizationOperations.Administer))
            .AddPolicy(SuperAdminPolicy, p => p.AddRequirements(OrganizationOperations.ManageOrganizations));
        services.AddSingleton<IAuthorizationHandler, OrganizationAuthorizationHandler>();

        services.AddHttpContextAccessor();
        services.AddZiggyRateLimits();
        services.AddScoped<Audit.AuditTrail>();
        services.AddScoped<Audit.AuditQueries>();
        services.AddSingleton<SetupState>();
        services.AddScoped<SetupService>();
        services.AddScoped<SignInService>();
        services.AddScoped<SessionService>();
        services.AddScoped<PasswordService>();
        services.AddScoped<TwoFactorService>();
        services.AddScoped<TeamService>();
        services.AddScoped<InvitationService>();
        services.AddScoped<PasswordResetService>();
        return services;
    }
}
