namespace Ziggy.Secrets.Web.Accounts;

/// <summary>Who in an organization must sign in with a second factor (an authenticator app) as well as a password.</summary>
public enum TwoFactorRequirement
{
    /// <summary>Nobody must; anyone may turn it on for themselves.</summary>
    Off,

    /// <summary>Admins and SuperAdmins (role priority of at least 100).</summary>
    Administrators,

    Everyone,
}

public static class TwoFactorRequirements
{
    public static IReadOnlyList<TwoFactorRequirement> All { get; } = [TwoFactorRequirement.Off, TwoFactorRequirement.Administrators, TwoFactorRequirement.Everyone];

    /// <summary>Whether someone with <paramref name="role"/> must use two-factor sign-in under this requirement.</summary>
    public static bool AppliesTo(this TwoFactorRequirement requirement, Role role) => requirement switch
    {
        TwoFactorRequirement.Everyone => true,
        TwoFactorRequirement.Administrators => role.Priority() >= Roles.AdminPriority,
        _ => false,
    };

    public static string Describe(this TwoFactorRequirement requirement) => requirement switch
    {
        TwoFactorRequirement.Everyone => "Required for everyone",
        TwoFactorRequirement.Administrators => "Required for Admins and SuperAdmins",
        _ => "Optional",
    };
}
