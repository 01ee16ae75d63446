using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Authorization;

namespace Ziggy.Secrets.Tests.Unit.Authorization;

public sealed class OrganizationAuthorizationHandlerTests
{
    private const string Allowed = "allowed";
    private const string NotFound = "404";

    private static readonly Guid Org = Guid.NewGuid();
    private static readonly CurrentUser Member = new(Guid.NewGuid(), Org, Role.Member, "Mia");
    private static readonly CurrentUser Admin = new(Guid.NewGuid(), Org, Role.Admin, "Adam");
    private static readonly CurrentUser SuperAdmin = new(Guid.NewGuid(), Org, Role.SuperAdmin, "Olivia");
    private static readonly CurrentUser OtherSuperAdmin = new(Guid.NewGuid(), Org, Role.SuperAdmin, "Sam");
    private static readonly CurrentUser DeactivatedAdmin = Admin with { UserId = Guid.NewGuid(), IsActive = false };
    private static readonly CurrentUser DeactivatedSuperAdmin = SuperAdmin with { UserId = Guid.NewGuid(), IsActive = false };
    private static readonly CurrentUser OtherOrganizationSuperAdmin = new(Guid.NewGuid(), Guid.NewGuid(), Role.SuperAdmin, "Gina");

    public enum Who { Anonymous, Member, Admin, SuperAdmin, DeactivatedAdmin, DeactivatedSuperAdmin }

    private static CurrentUser? Actor(Who who) => who switch
    {
        Who.Member => Member,
        Who.Admin => Admin,
        Who.SuperAdmin => SuperAdmin,
        Who.DeactivatedAdmin => DeactivatedAdmin,
        Who.DeactivatedSuperAdmin => DeactivatedSuperAdmin,
        _ => null,
    };

    /// <summary>What the handler says: allowed, a refusal to show (its message), or nothing (answered 404).</summary>
    private static async Task<string> DecideAsync(CurrentUser? actor, OrganizationOperationRequirement operation, object? resource)
    {
        var context = new AuthorizationHandlerContext([operation], actor?.ToPrincipal() ?? new ClaimsPrincipal(), resource);
        await new OrganizationAuthorizationHandler().HandleAsync(context);
        Assert.False(context.HasSucceeded && context.HasFailed);
        return context.HasSucceeded ? Allowed : context.FailureReasons.FirstOrDefault()?.Message ?? NotFound;
    }

    [Theory]
    [InlineData(Who.Anonymous, NotFound)]
    [InlineData(Who.Member, NotFound)]
    [InlineData(Who.Admin, Allowed)]
    [InlineData(Who.SuperAdmin, Allowed)]
    [InlineData(Who.DeactivatedAdmin, NotFound)]
    [InlineData(Who.DeactivatedSuperAdmin, NotFound)]
    public async Task HandleAsync_Administer_OnlyActivePriority100(Who who, string expected)
    {
        // As the page policy asks it (with the request as resource) and as the services ask it (no resource).
        Assert.Equal(expected, await DecideAsync(Actor(who), OrganizationOperations.Administer, new DefaultHttpContext()));
        Assert.Equal(expected, await DecideAsync(Actor(who), OrganizationOperations.Administer, null));
    }

    [Theory]
    [InlineData(Who.Anonymous, NotFound)]
    [InlineData(Who.Member, NotFound)]
    [InlineData(Who.Admin, NotFound)]
    [InlineData(Who.SuperAdmin, Allowed)]
    [InlineData(Who.DeactivatedSuperAdmin, NotFound)]
    public async Task HandleAsync_ManageOrganizations_OnlyActiveSuperAdmin(Who who, string expected) =>
        Assert.Equal(expected, await DecideAsync(Actor(who), OrganizationOperations.ManageOrganizations, null));

    [Theory]
    [InlineData(Who.Anonymous, NotFound)]
    [InlineData(Who.Member, NotFound)]
    [InlineData(Who.Admin, Allowed)]
    [InlineData(Who.SuperAdmin, Allowed)]
    [InlineData(Who.DeactivatedAdmin, NotFound)]
    public async Task HandleAsync_SetTwoFactorRequirement_OnlyActiveAdministrators(Who who, string expected) =>
        Assert.Equal(expected, await DecideAsync(Actor(who), OrganizationOperations.SetTwoFactorRequirement, null));

    [Theory]
    [InlineData(Who.Member, Role.Member, NotFound)]
    [InlineData(Who.DeactivatedSuperAdmin, Role.Member, NotFound)]
    [InlineData(Who.Admin, Role.Member, Allowed)]
    [InlineData(Who.Admin, Role.Admin, Allowed)]
    [InlineData(Who.Admin, Role.SuperAdmin, MemberRules.AboveOwnRoleMessage)]
    [InlineData(Who.SuperAdmin, Role.SuperAdmin, Allowed)]
    public async Task HandleAsync_Invite_NeverAboveOwnRole(Who who, Role role, string expected) =>
        Assert.Equal(expected, await DecideAsync(Actor(who), OrganizationOperations.Invite, role));

    [Fact]
    public async Task HandleAsync_InviteWithoutRole_NotFound() =>
        Assert.Equal(NotFound, await DecideAsync(SuperAdmin, OrganizationOperations.Invite, null));

    [Fact]
    public async Task HandleAsync_ManageMember_OnlyOthersNotAboveTheActorInTheSameOrganization()
    {
        Assert.Equal(Allowed, await DecideAsync(Admin, OrganizationOperations.ManageMember, Member.Facts));
        Assert.Equal(Allowed, await DecideAsync(SuperAdmin, OrganizationOperations.ManageMember, OtherSuperAdmin.Facts));
        Assert.Equal(NotFound, await DecideAsync(Admin, OrganizationOperations.ManageMember, Admin.Facts));
        Assert.Equal(NotFound, await DecideAsync(Admin, OrganizationOperations.ManageMember, SuperAdmin.Facts));
        Assert.Equal(NotFound, await DecideAsync(Member, OrganizationOperations.ManageMember, Member.Facts with { Id = Guid.NewGuid() }));
        Assert.Equal(NotFound, await DecideAsync(DeactivatedAdmin, OrganizationOperations.ManageMember, Member.Facts));
        Assert.Equal(NotFound, await DecideAsync(OtherOrganizationSuperAdmin, OrganizationOperations.ManageMember, Member.Facts));
    }

    public static TheoryData<string, CurrentUser, MemberChange, string> Changes => new()
    {
        { "admin promotes a member to Admin", Admin, new RoleChange(Member.Facts, Role.Admin, 1), Allowed },
        { "admin promotes a member to SuperAdmin", Admin, new RoleChange(Member.Facts, Role.SuperAdmin, 1), MemberRules.AboveOwnRoleMessage },
        { "admin demotes a SuperAdmin", Admin, new RoleChange(SuperAdmin.Facts, Role.Member, 1), MemberRules.HigherMemberMessage },
        { "own role", Admin, new RoleChange(Admin.Facts, Role.Member, 1), MemberRules.OwnRoleMessage },
        { "last SuperAdmin demoted", SuperAdmin, new RoleChange(OtherSuperAdmin.Facts, Role.Admin, 0), MemberRules.LastSuperAdminDemoteMessage },
        { "SuperAdmin demoted while another remains", SuperAdmin, new RoleChange(OtherSuperAdmin.Facts, Role.Admin, 1), Allowed },
        { "admin deactivates a member", Admin, new StatusChange(Member.Facts, false, 0), Allowed },
        { "own status", Admin, new StatusChange(Admin.Facts, false, 1), MemberRules.OwnStatusMessage },
        { "last SuperAdmin deactivated", SuperAdmin, new StatusChange(OtherSuperAdmin.Facts, false, 0), MemberRules.LastSuperAdminDeactivateMessage },
        { "member changes a member", Member, new RoleChange(Member.Facts with { Id = Guid.NewGuid() }, Role.Member, 1), NotFound },
        { "deactivated admin changes a member", DeactivatedAdmin, new StatusChange(Member.Facts, false, 1), NotFound },
        { "deactivated SuperAdmin changes a member", DeactivatedSuperAdmin, new RoleChange(Member.Facts, Role.Admin, 1), NotFound },
        { "SuperAdmin of another organization", OtherOrganizationSuperAdmin, new StatusChange(Member.Facts, false, 1), NotFound },
        { "admin signs a member out everywhere", Admin, new SignOutEverywhere(Member.Facts, 1), Allowed },
        { "admin signs a SuperAdmin out everywhere", Admin, new SignOutEverywhere(SuperAdmin.Facts, 1), MemberRules.HigherMemberMessage },
        { "own sessions from the team page", Admin, new SignOutEverywhere(Admin.Facts, 1), MemberRules.OwnSessionsMessage },
        { "member signs a member out everywhere", Member, new SignOutEverywhere(Member.Facts with { Id = Guid.NewGuid() }, 1), NotFound },
        { "deactivated admin signs a member out everywhere", DeactivatedAdmin, new SignOutEverywhere(Member.Facts, 1), NotFound },
        { "SuperAdmin of another organization signs a member out everywhere", OtherOrganizationSuperAdmin, new SignOutEverywhere(Member.Facts, 1), NotFound },
        { "admin resets a member's two-factor", Admin, new TwoFactorReset(Member.Facts, 1), Allowed },
        { "admin resets another admin's two-factor", Admin, new TwoFactorReset(Admin.Facts with { Id = Guid.NewGuid() }, 1), Allowed },
        { "admin resets a SuperAdmin's two-factor", Admin, new TwoFactorReset(SuperAdmin.Facts, 1), MemberRules.HigherMemberMessage },
        { "own two-factor from the team page", SuperAdmin, new TwoFactorReset(SuperAdmin.Facts, 1), MemberRules.OwnTwoFactorMessage },
        { "member resets a member's two-factor", Member, new TwoFactorReset(Member.Facts with { Id = Guid.NewGuid() }, 1), NotFound },
        { "deactivated admin resets two-factor", DeactivatedAdmin, new TwoFactorReset(Member.Facts, 1), NotFound },
        { "two-factor of another organization", OtherOrganizationSuperAdmin, new TwoFactorReset(Member.Facts, 1), NotFound },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task HandleAsync_ChangeMember_RulesOfMemberRulesOrNotFound(string scenario, CurrentUser actor, MemberChange change, string expected) =>
        Assert.True(expected == await DecideAsync(actor, OrganizationOperations.ChangeMember, change), scenario);

    [Fact]
    public async Task HandleAsync_ChangeMemberWithoutAChange_NotFound() =>
        Assert.Equal(NotFound, await DecideAsync(SuperAdmin, OrganizationOperations.ChangeMember, Member.Facts));

    [Fact]
    public async Task HandleAsync_ResetPassword_OthersNotAboveTheActorInTheSameOrganization()
    {
        Assert.Equal(Allowed, await DecideAsync(Admin, OrganizationOperations.ResetPassword, Member.Facts));
        Assert.Equal(Allowed, await DecideAsync(Admin, OrganizationOperations.ResetPassword, Admin.Facts with { Id = Guid.NewGuid() }));
        Assert.Equal(Allowed, await DecideAsync(SuperAdmin, OrganizationOperations.ResetPassword, OtherSuperAdmin.Facts));
        Assert.Equal(Allowed, await DecideAsync(Admin, OrganizationOperations.ResetPassword, Member.Facts with { IsActive = false }));
        Assert.Equal(MemberRules.HigherMemberMessage, await DecideAsync(Admin, OrganizationOperations.ResetPassword, SuperAdmin.Facts));
        Assert.Equal(MemberRules.HigherMemberMessage, await DecideAsync(Admin, OrganizationOperations.ResetPassword, DeactivatedSuperAdmin.Facts));
        Assert.Equal(MemberRules.OwnPasswordResetMessage, await DecideAsync(Admin, OrganizationOperations.ResetPassword, Admin.Facts));
        Assert.Equal(NotFound, await DecideAsync(Member, OrganizationOperations.ResetPassword, Member.Facts with { Id = Guid.NewGuid() }));
        Assert.Equal(NotFound, await DecideAsync(DeactivatedAdmin, OrganizationOperations.ResetPassword, Member.Facts));
        Assert.Equal(NotFound, await DecideAsync(OtherOrganizationSuperAdmin, OrganizationOperations.ResetPassword, Member.Facts));
        Assert.Equal(NotFound, await DecideAsync(SuperAdmin, OrganizationOperations.ResetPassword, null));
        Assert.Equal(NotFound, await DecideAsync(null, OrganizationOperations.ResetPassword, Member.Facts));
    }

    [Fact]
    public async Task AuthorizeAsync_Refusal_CarriesTheMessageAndOnlyTheMessage()
    {
        var authorization = OwnerOrAdminAuthorizationHandlerTests.Services().GetRequiredService<IAuthorizationService>();

        var refused = await authorization.AuthorizeAsync(Admin, OrganizationOperations.Invite, Role.SuperAdmin);
        var notFound = await authorization.AuthorizeAsync(Member, OrganizationOperations.Invite, Role.Member);
        var allowed = await authorization.AuthorizeAsync(Admin, OrganizationOperations.Invite, Role.Admin);

        Assert.Equal((false, MemberRules.AboveOwnRoleMessage), (refused.Succeeded, refused.Refusal()));
        Assert.Equal((false, (string?)null), (notFound.Succeeded, notFound.Refusal()));
        Assert.Equal((true, (string?)null), (allowed.Succeeded, allowed.Refusal()));
    }

    [Fact]
    public async Task AuthorizeAsync_PagePolicies_AskTheSameHandler()
    {
        // The app's own registration: its policies and its handler.
        var authorization = new ServiceCollection().AddLogging().AddZiggyAccounts().BuildServiceProvider().GetRequiredService<IAuthorizationService>();

        Assert.True((await authorization.AuthorizeAsync(Admin.ToPrincipal(), AccountsRegistration.AdminPolicy)).Succeeded);
        Assert.False((await authorization.AuthorizeAsync(Member.ToPrincipal(), AccountsRegistration.AdminPolicy)).Succeeded);
        Assert.False((await authorization.AuthorizeAsync(DeactivatedAdmin.ToPrincipal(), AccountsRegistration.AdminPolicy)).Succeeded);
        Assert.True((await authorization.AuthorizeAsync(SuperAdmin.ToPrincipal(), AccountsRegistration.SuperAdminPolicy)).Succeeded);
        Assert.False((await authorization.AuthorizeAsync(Admin.ToPrincipal(), AccountsRegistration.SuperAdminPolicy)).Succeeded);
    }
}
