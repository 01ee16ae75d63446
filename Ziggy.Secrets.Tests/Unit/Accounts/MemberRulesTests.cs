using Ziggy.Secrets.Web.Accounts;

namespace Ziggy.Secrets.Tests.Unit.Accounts;

public sealed class MemberRulesTests
{
    private static readonly Guid Org = Guid.NewGuid();
    private static readonly MemberFacts SuperAdmin = new(Guid.NewGuid(), Org, Role.SuperAdmin, true);
    private static readonly MemberFacts OtherSuperAdmin = new(Guid.NewGuid(), Org, Role.SuperAdmin, true);
    private static readonly MemberFacts Admin = new(Guid.NewGuid(), Org, Role.Admin, true);
    private static readonly MemberFacts Member = new(Guid.NewGuid(), Org, Role.Member, true);

    [Fact]
    public void Priorities_AreMember10Admin100SuperAdmin1000()
    {
        Assert.Equal(10, Role.Member.Priority());
        Assert.Equal(100, Role.Admin.Priority());
        Assert.Equal(1000, Role.SuperAdmin.Priority());
        Assert.Equal(Roles.AdminPriority, Role.Admin.Priority());
    }

    [Fact]
    public void IsAdministrator_ActivePriority100OrMore_True()
    {
        Assert.False(MemberRules.IsAdministrator(Member));
        Assert.True(MemberRules.IsAdministrator(Admin));
        Assert.True(MemberRules.IsAdministrator(SuperAdmin));
    }

    [Fact]
    public void ActsAs_Deactivated_Member()
    {
        Assert.Equal(Role.Member, MemberRules.ActsAs(SuperAdmin with { IsActive = false }));
        Assert.False(MemberRules.IsAdministrator(Admin with { IsActive = false }));
        Assert.False(MemberRules.ManagesOrganizations(SuperAdmin with { IsActive = false }));
    }

    [Fact]
    public void ManagesOrganizations_OnlySuperAdmin()
    {
        Assert.True(MemberRules.ManagesOrganizations(SuperAdmin));
        Assert.False(MemberRules.ManagesOrganizations(Admin));
        Assert.False(MemberRules.ManagesOrganizations(Member));
    }

    [Theory]
    [InlineData(Role.Member, null)]
    [InlineData(Role.Admin, null)]
    [InlineData(Role.SuperAdmin, MemberRules.AboveOwnRoleMessage)]
    public void RefuseInvitation_Admin_NeverAboveOwnRole(Role role, string? refusal) =>
        Assert.Equal(refusal, MemberRules.RefuseInvitation(Admin, role));

    [Fact]
    public void RefusePasswordReset_SelfOrHigherMember_Refused()
    {
        Assert.Equal(MemberRules.OwnPasswordResetMessage, MemberRules.RefusePasswordReset(Admin, Admin));
        Assert.Equal(MemberRules.HigherMemberMessage, MemberRules.RefusePasswordReset(Admin, SuperAdmin));
        Assert.Equal(MemberRules.HigherMemberMessage, MemberRules.RefusePasswordReset(Admin, SuperAdmin with { IsActive = false }));
        Assert.Null(MemberRules.RefusePasswordReset(Admin, Member));
        Assert.Null(MemberRules.RefusePasswordReset(Admin, Admin with { Id = Guid.NewGuid() }));
        Assert.Null(MemberRules.RefusePasswordReset(SuperAdmin, OtherSuperAdmin));
    }

    [Fact]
    public void MayManage_SelfOrHigherMember_False()
    {
        Assert.False(MemberRules.MayManage(Admin, Admin));
        Assert.False(MemberRules.MayManage(Admin, SuperAdmin));
        Assert.False(MemberRules.MayManage(Admin, SuperAdmin with { IsActive = false }));
        Assert.True(MemberRules.MayManage(Admin, Member));
        Assert.True(MemberRules.MayManage(Admin, Admin with { Id = Guid.NewGuid() }));
        Assert.True(MemberRules.MayManage(SuperAdmin, OtherSuperAdmin));
    }

    [Fact]
    public void RefuseRoleChange_OwnRole_Refused() =>
        Assert.Equal(MemberRules.OwnRoleMessage, MemberRules.RefuseRoleChange(Admin, Admin, Role.Member, 1));

    [Fact]
    public void RefuseRoleChange_AboveOwnPriority_Refused() =>
        Assert.Equal(MemberRules.AboveOwnRoleMessage, MemberRules.RefuseRoleChange(Admin, Member, Role.SuperAdmin, 1));

    [Fact]
    public void RefuseRoleChange_TargetAboveActor_Refused() =>
        Assert.Equal(MemberRules.HigherMemberMessage, MemberRules.RefuseRoleChange(Admin, SuperAdmin, Role.Member, 1));

    [Fact]
    public void RefuseRoleChange_AdminPromotesMemberToAdmin_Allowed() =>
        Assert.Null(MemberRules.RefuseRoleChange(Admin, Member, Role.Admin, 1));

    [Fact]
    public void RefuseRoleChange_LastActiveSuperAdmin_Refused() =>
        Assert.Equal(MemberRules.LastSuperAdminDemoteMessage, MemberRules.RefuseRoleChange(SuperAdmin, OtherSuperAdmin, Role.Admin, otherActiveSuperAdmins: 0));

    [Fact]
    public void RefuseRoleChange_SuperAdminWhileAnotherRemains_Allowed() =>
        Assert.Null(MemberRules.RefuseRoleChange(SuperAdmin, OtherSuperAdmin, Role.Admin, otherActiveSuperAdmins: 1));

    [Fact]
    public void RefuseStatusChange_LastActiveSuperAdmin_Refused() =>
        Assert.Equal(MemberRules.LastSuperAdminDeactivateMessage, MemberRules.RefuseStatusChange(SuperAdmin, OtherSuperAdmin, active: false, otherActiveSuperAdmins: 0));

    [Fact]
    public void RefuseStatusChange_ReactivatingASuperAdmin_Allowed() =>
        Assert.Null(MemberRules.RefuseStatusChange(SuperAdmin, OtherSuperAdmin with { IsActive = false }, active: true, otherActiveSuperAdmins: 0));

    [Fact]
    public void RefuseStatusChange_Self_Refused() =>
        Assert.Equal(MemberRules.OwnStatusMessage, MemberRules.RefuseStatusChange(Admin, Admin, active: false, 1));

    [Fact]
    public void RefuseStatusChange_AdminDeactivatesSuperAdmin_Refused() =>
        Assert.Equal(MemberRules.HigherMemberMessage, MemberRules.RefuseStatusChange(Admin, SuperAdmin, active: false, 1));

    [Fact]
    public void RefuseStatusChange_AdminDeactivatesMember_Allowed() =>
        Assert.Null(MemberRules.RefuseStatusChange(Admin, Member, active: false, 0));
}
