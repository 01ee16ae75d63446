namespace Ziggy.Secrets.Web.Accounts;

/// <summary>
/// A role's numeric value is its priority. Rules compare priorities ("rolePriority >= 100"), never role names,
/// and this is the one place those numbers live. The rules themselves are in <see cref="MemberRules"/>.
/// </summary>
public enum Role
{
    Member = 10,
    Admin = 100,
    SuperAdmin = 1000,
}

public static class Roles
{
    /// <summary>The priority from which a user administers the organization and may change anyone's secrets.</summary>
    public const int AdminPriority = 100;

    public static int Priority(this Role role) => (int)role;

    public static IReadOnlyList<Role> All { get; } = [Role.Member, Role.Admin, Role.SuperAdmin];
}
