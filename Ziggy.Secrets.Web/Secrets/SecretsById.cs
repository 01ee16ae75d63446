namespace Ziggy.Secrets.Web.Secrets;

/// <summary>Finding chosen secrets by their ids in a way that does not grow with the size of their organization.</summary>
public static class SecretsById
{
    /// <summary>
    /// The secrets among <paramref name="ids"/> as one primary-key lookup per id. The statement names no organization:
    /// with it, SQLite (which keeps no table statistics here) plans a walk of the organization's whole grid index instead.
    /// The rows can belong to any organization, so the caller keeps only its own with <see cref="InOrganization{T}"/>.
    /// </summary>
    public static IQueryable<Secret> WithIds(this IQueryable<Secret> secrets, ICollection<Guid> ids) => secrets.Where(s => ids.Contains(s.Id));

    /// <summary>The rows of <paramref name="organizationId"/> only: an id of another organization is as if it did not exist.</summary>
    public static List<T> InOrganization<T>(this IEnumerable<T> rows, Guid organizationId, Func<T, Guid> organizationOf) =>
        rows.Where(r => organizationOf(r) == organizationId).ToList();
}
