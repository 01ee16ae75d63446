namespace Ziggy.Secrets.Web.Authorization;

/// <summary>Something a member of an organization owns: a secret or an integration.</summary>
public interface IOwnedResource
{
    Guid OrganizationId { get; }

    Guid OwnerId { get; }
}
