using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Ziggy.Secrets.Web.Accounts;

namespace Ziggy.Secrets.Web.Authorization;

/// <summary>
/// The one place that decides who may do what with a secret or an integration, always judged on the entity as loaded
/// from the database: members of its organization may read (and run) it; its owner or an administrator (role priority
/// >= 100, and active: see <see cref="MemberRules.IsAdministrator"/>) may change or delete it; only an administrator
/// may hand it to another owner. Everyone else, other organizations included, gets nothing (and the services answer
/// 404, so ids cannot be probed).
/// </summary>
public sealed class OwnerOrAdminAuthorizationHandler : AuthorizationHandler<OperationAuthorizationRequirement, IOwnedResource>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, OperationAuthorizationRequirement requirement, IOwnedResource resource)
    {
        if (CurrentUser.From(context.User)?.Facts is not { } actor || resource.OrganizationId != actor.OrganizationId) return Task.CompletedTask;

        var isOwner = resource.OwnerId == actor.Id;
        var allowed = requirement.Name switch
        {
            nameof(ResourceOperations.Read) => true,
            nameof(ResourceOperations.Update) or nameof(ResourceOperations.Delete) => isOwner || MemberRules.IsAdministrator(actor),
            nameof(ResourceOperations.TransferOwnership) => MemberRules.IsAdministrator(actor),
            _ => false,
        };
        if (allowed) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
