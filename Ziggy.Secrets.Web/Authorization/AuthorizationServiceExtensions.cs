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
}
