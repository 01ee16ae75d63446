using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Authorization;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Unit.Authorization;

public sealed class OwnerOrAdminAuthorizationHandlerTests
{
    private static readonly Guid Org = Guid.NewGuid();
    private static readonly Guid OwnerId = Guid.NewGuid();
    private static readonly Secret TheSecret = new() { Name = "STRIPE_API_KEY", OrganizationId = Org, OwnerId = OwnerId };

    public enum Who { Owner, OtherMember, Admin, SuperAdmin, OtherOrgSuperAdmin, OwnerDemotedToMemberInOtherOrg }

    private static CurrentUser Actor(Who who) => who switch
    {
        Who.Owner => new(OwnerId, Org, Role.Member, "Owner"),
        Who.OtherMember => new(Guid.NewGuid(), Org, Role.Member, "Other"),
        Who.Admin => new(Guid.NewGuid(), Org, Role.Admin, "Admin"),
        Who.SuperAdmin => new(Guid.NewGuid(), Org, Role.SuperAdmin, "Super"),
        Who.OtherOrgSuperAdmin => new(Guid.NewGuid(), Guid.NewGuid(), Role.SuperAdmin, "Elsewhere"),
        // Same user id, but a principal from another organization: the organization decides, not the id.
        _ => new(OwnerId, Guid.NewGuid(), Role.Member, "Owner elsewhere"),
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
    public async Task HandleAsync_Matrix_AllowsExactlyOwnerOrPriority100(Who who, string operation, bool allowed)
    {
        var handler = new OwnerOrAdminAuthorizationHandler();
        var requirement = Operation(operation);
        var context = new AuthorizationHandlerContext([requirement], Actor(who).ToPrincipal(), TheSecret);

        await handler.HandleAsync(context);

        Assert.Equal(allowed, context.HasSucceeded);
    }

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
