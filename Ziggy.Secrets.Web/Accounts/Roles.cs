namespace Ziggy.Secrets.Web.Accounts;

/// <summary>
/// A role's numeric value is its priority. Rules compare priorities ("rolePriority >= 100"), never role names,
/// and this is the one place those numbers live.
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

    public static bool IsAdministrator(this Role role) => role.Priority() >= AdminPriority;

    public static IReadOnlyList<Role> All { get; } = [Role.Member, Role.Admin, Role.SuperAdmin];

    /// <summary>The roles a user of <paramref name="actor"/> role may hand out: never above their own.</summary>
    public static IReadOnlyList<Role> AssignableBy(Role actor) => All.Where(r => r.Priority() <= actor.Priority()).ToList();
}
