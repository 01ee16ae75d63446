using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
            .AddSignInManager()
            .AddErrorDescriber<ZiggyIdentityErrors>()
            .AddClaimsPrincipalFactory<ZiggyClaimsPrincipalFactory>()
            .AddDefaultTokenProviders();
        services.Replace(ServiceDescriptor.Scoped<ILookupNormalizer, ZiggyLookupNormalizer>());

        services.AddAuthentication(IdentityConstants.ApplicationScheme)
            .AddIdentityCookies(cookies => cookies.ApplicationCookie!.Configure(options =>
            {
                options.LoginPath = "/Account/SignIn";
                options.LogoutPath = "/Account/SignOut";
                options.AccessDeniedPath = "/Account/SignIn";
                options.Cookie.Name = "ziggy.auth";
                // Over HTTPS it is sent as __Host-ziggy.auth, Secure (Hosting/HostPrefixedCookies).
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
                options.Events.OnValidatePrincipal = SessionValidator.ValidatePrincipalAsync;
                options.Events.OnRedirectToLogin = SessionValidator.RedirectToSignInAsync;
                options.Events.OnRedirectToAccessDenied = SessionValidator.RedirectToAccessDeniedAsync;
            }));

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
        services.AddScoped<TeamService>();
        services.AddScoped<InvitationService>();
        services.AddScoped<PasswordResetService>();
        return services;
    }
}
