using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Ziggy.Secrets.Web.Accounts;

namespace Ziggy.Secrets.Web.Authorization;

/// <summary>
/// The one place that decides who may do what with a secret or an integration, always judged on the entity as loaded
/// from the database: members of its organization may read (and run) it; its owner or anyone with role priority >= 100
/// may change or delete it; only priority >= 100 may hand it to another owner. Everyone else, other organizations
/// included, gets nothing (and the services answer 404, so ids cannot be probed).
/// </summary>
public sealed class OwnerOrAdminAuthorizationHandler : AuthorizationHandler<OperationAuthorizationRequirement, IOwnedResource>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, OperationAuthorizationRequirement requirement, IOwnedResource resource)
    {
        var actor = CurrentUser.From(context.User);
        if (actor is not null && IsAllowed(actor, resource, requirement)) context.Succeed(requirement);
        return Task.CompletedTask;
    }

    public static bool IsAllowed(CurrentUser actor, IOwnedResource resource, OperationAuthorizationRequirement operation)
    {
        if (resource.OrganizationId != actor.OrganizationId) return false;
        var isOwner = resource.OwnerId == actor.UserId;
        var isAdministrator = actor.Role.Priority() >= Roles.AdminPriority;
        return operation.Name switch
        {
            nameof(ResourceOperations.Read) => true,
            nameof(ResourceOperations.Update) or nameof(ResourceOperations.Delete) => isOwner || isAdministrator,
            nameof(ResourceOperations.TransferOwnership) => isAdministrator,
            _ => false,
        };
    }
}
