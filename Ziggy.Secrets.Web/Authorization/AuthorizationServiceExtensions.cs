using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Ziggy.Secrets.Web.Accounts;

namespace Ziggy.Secrets.Web.Authorization;

public static class AuthorizationServiceExtensions
{
    /// <summary>Asks the owner-or-admin handler whether <paramref name="actor"/> may do <paramref name="operation"/> to the resource.</summary>
    public static async Task<bool> AllowsAsync(this IAuthorizationService authorization, CurrentUser actor, IOwnedResource resource,
        OperationAuthorizationRequirement operation) =>
        (await authorization.AuthorizeAsync(actor.ToPrincipal(), resource, operation)).Succeeded;

    /// <summary>Asks the organization handler whether <paramref name="actor"/> may do <paramref name="operation"/> (to the resource it names).</summary>
    public static async Task<bool> AllowsAsync(this IAuthorizationService authorization, CurrentUser actor,
        OrganizationOperationRequirement operation, object? resource = null) =>
        (await authorization.AuthorizeAsync(actor, operation, resource)).Succeeded;

    public static Task<AuthorizationResult> AuthorizeAsync(this IAuthorizationService authorization, CurrentUser actor,
        OrganizationOperationRequirement operation, object? resource) =>
        authorization.AuthorizeAsync(actor.ToPrincipal(), resource, operation);

    /// <summary>
    /// Why a decision went against the user, when it is something they should read (a role above their own, the last
    /// SuperAdmin); null when the answer is simply no, which callers give as 404.
    /// </summary>
    public static string? Refusal(this AuthorizationResult result) => result.Failure?.FailureReasons.FirstOrDefault()?.Message;
}
