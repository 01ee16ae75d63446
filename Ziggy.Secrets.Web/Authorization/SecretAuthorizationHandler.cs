using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Web.Authorization;

/// <summary>
/// The one place that decides who may do what with a secret, always judged on the secret as loaded from the
/// database: members of its organization may read it; its owner or anyone with role priority >= 100 may change or
/// delete it; only priority >= 100 may hand it to another owner. Everyone else, other organizations included, gets
/// nothing (and the service answers 404, so ids cannot be probed).
/// </summary>
public sealed class SecretAuthorizationHandler : AuthorizationHandler<OperationAuthorizationRequirement, Secret>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, OperationAuthorizationRequirement requirement, Secret resource)
    {
        var actor = CurrentUser.From(context.User);
        if (actor is not null && IsAllowed(actor, resource, requirement)) context.Succeed(requirement);
        return Task.CompletedTask;
    }

    public static bool IsAllowed(CurrentUser actor, Secret secret, OperationAuthorizationRequirement operation)
    {
        if (secret.OrganizationId != actor.OrganizationId) return false;
        var isOwner = secret.OwnerId == actor.UserId;
        var isAdministrator = actor.Role.Priority() >= Roles.AdminPriority;
        return operation.Name switch
        {
            nameof(SecretOperations.Read) => true,
            nameof(SecretOperations.Update) or nameof(SecretOperations.Delete) => isOwner || isAdministrator,
            nameof(SecretOperations.TransferOwnership) => isAdministrator,
            _ => false,
        };
    }
}
