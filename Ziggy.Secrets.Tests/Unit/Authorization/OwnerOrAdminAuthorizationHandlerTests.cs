using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Authorization;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Unit.Authorization;

public sealed class OwnerOrAdminAuthorizationHandlerTests
{
    private static readonly Guid Org = Guid.NewGuid();
    private static readonly Guid OwnerId = Guid.NewGuid();
    private static readonly Secret TheSecret = new() { Name = "STRIPE_API_KEY", OrganizationId = Org, OwnerId = OwnerId };

    public enum Who { Owner, OtherMember, Admin, SuperAdmin, OtherOrgSuperAdmin, OwnerDemotedToMemberInOtherOrg, DeactivatedOwner, DeactivatedAdmin, DeactivatedSuperAdmin }

    private static CurrentUser Actor(Who who) => who switch
    {
        Who.Owner => new(OwnerId, Org, Role.Member, "Owner"),
        Who.OtherMember => new(Guid.NewGuid(), Org, Role.Member, "Other"),
        Who.Admin => new(Guid.NewGuid(), Org, Role.Admin, "Admin"),
        Who.SuperAdmin => new(Guid.NewGuid(), Org, Role.SuperAdmin, "Super"),
        Who.OtherOrgSuperAdmin => new(Guid.NewGuid(), Guid.NewGuid(), Role.SuperAdmin, "Elsewhere"),
        Who.OwnerDemotedToMemberInOtherOrg => new(OwnerId, Guid.NewGuid(), Role.Member, "Owner elsewhere"),
        // A deactivated user keeps their role on record and acts as a Member (an integration's owner, as loaded for a run).
        Who.DeactivatedOwner => new(OwnerId, Org, Role.Admin, "Owner", IsActive: false),
        Who.DeactivatedAdmin => new(Guid.NewGuid(), Org, Role.Admin, "Admin", IsActive: false),
        _ => new(Guid.NewGuid(), Org, Role.SuperAdmin, "Super", IsActive: false),
    };

    private static OperationAuthorizationRequirement Operation(string name) => ResourceOperations.All.Single(o => o.Name == name);

    [Theory]
    [InlineData(Who.Owner, "Read", true)]
    [InlineData(Who.Owner, "Update", true)]
    [InlineData(Who.Owner, "Delete", true)]
    [InlineData(Who.Owner, "TransferOwnership", false)]
    [InlineData(Who.OtherMember, "Read", true)]
    [InlineData(Who.OtherMember, "Update", false)]
    [InlineData(Who.OtherMember, "Delete", false)]
    [InlineData(Who.OtherMember, "TransferOwnership", false)]
    [InlineData(Who.Admin, "Read", true)]
    [InlineData(Who.Admin, "Update", true)]
    [InlineData(Who.Admin, "Delete", true)]
    [InlineData(Who.Admin, "TransferOwnership", true)]
    [InlineData(Who.SuperAdmin, "Read", true)]
    [InlineData(Who.SuperAdmin, "Update", true)]
    [InlineData(Who.SuperAdmin, "Delete", true)]
    [InlineData(Who.SuperAdmin, "TransferOwnership", true)]
    [InlineData(Who.OtherOrgSuperAdmin, "Read", false)]
    [InlineData(Who.OtherOrgSuperAdmin, "Update", false)]
    [InlineData(Who.OtherOrgSuperAdmin, "Delete", false)]
    [InlineData(Who.OtherOrgSuperAdmin, "TransferOwnership", false)]
    [InlineData(Who.OwnerDemotedToMemberInOtherOrg, "Read", false)]
    [InlineData(Who.OwnerDemotedToMemberInOtherOrg, "Update", false)]
    [InlineData(Who.DeactivatedOwner, "Read", true)]
    [InlineData(Who.DeactivatedOwner, "Update", true)]
    [InlineData(Who.DeactivatedOwner, "TransferOwnership", false)]
    [InlineData(Who.DeactivatedAdmin, "Read", true)]
    [InlineData(Who.DeactivatedAdmin, "Update", false)]
    [InlineData(Who.DeactivatedAdmin, "Delete", false)]
    [InlineData(Who.DeactivatedAdmin, "TransferOwnership", false)]
    [InlineData(Who.DeactivatedSuperAdmin, "Update", false)]
    [InlineData(Who.DeactivatedSuperAdmin, "TransferOwnership", false)]
    public async Task HandleAsync_Matrix_AllowsExactlyOwnerOrActivePriority100(Who who, string operation, bool allowed)
    {
        var handler = new OwnerOrAdminAuthorizationHandler();
        var requirement = Operation(operation);
        var context = new AuthorizationHandlerContext([requirement], Actor(who).ToPrincipal(), TheSecret);

        await handler.HandleAsync(context);

        Assert.Equal(allowed, context.HasSucceeded);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public async Task AuthorizeAsync_AdminPrincipalCarriesIsActive_DeactivatedAdminActsAsMember(bool isActive, bool allowed)
    {
        // Through the authorization service, as IntegrationService.RunAsync asks for the integration's owner.
        var authorization = Services().GetRequiredService<IAuthorizationService>();
        var admin = new CurrentUser(Guid.NewGuid(), Org, Role.Admin, "Admin", isActive);

        var result = await authorization.AuthorizeAsync(admin.ToPrincipal(), TheSecret, ResourceOperations.Update);

        Assert.Equal(allowed, result.Succeeded);
    }

    [Fact]
    public void From_CookiePrincipalWithoutActiveClaim_IsActive()
    {
        // The sign-in cookie has no active claim: the session check has already turned deactivated users away.
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, OwnerId.ToString()),
            new Claim(CurrentUser.OrganizationClaim, Org.ToString()),
            new Claim(CurrentUser.RoleClaim, nameof(Role.Admin)),
        ], "Cookie"));

        Assert.True(CurrentUser.From(principal)!.IsActive);
        Assert.False(CurrentUser.From(new CurrentUser(OwnerId, Org, Role.Admin, "A", IsActive: false).ToPrincipal())!.IsActive);
    }

    internal static ServiceProvider Services() => new ServiceCollection()
        .AddLogging()
        .AddAuthorizationCore()
        .AddSingleton<IAuthorizationHandler, OwnerOrAdminAuthorizationHandler>()
        .AddSingleton<IAuthorizationHandler, OrganizationAuthorizationHandler>()
        .BuildServiceProvider();

    [Fact]
    public async Task HandleAsync_Anonymous_NothingAllowed()
    {
        var handler = new OwnerOrAdminAuthorizationHandler();
        foreach (var requirement in ResourceOperations.All)
        {
            var context = new AuthorizationHandlerContext([requirement], new System.Security.Claims.ClaimsPrincipal(), TheSecret);
            await handler.HandleAsync(context);
            Assert.False(context.HasSucceeded);
        }
    }
}
