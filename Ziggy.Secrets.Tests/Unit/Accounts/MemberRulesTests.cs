using Ziggy.Secrets.Web.Accounts;

namespace Ziggy.Secrets.Tests.Unit.Accounts;

public sealed class MemberRulesTests
{
    private static readonly MemberFacts SuperAdmin = new(Guid.NewGuid(), Role.SuperAdmin, true);
    private static readonly MemberFacts OtherSuperAdmin = new(Guid.NewGuid(), Role.SuperAdmin, true);
    private static readonly MemberFacts Admin = new(Guid.NewGuid(), Role.Admin, true);
    private static readonly MemberFacts Member = new(Guid.NewGuid(), Role.Member, true);

    [Fact]
    public void Priorities_AreMember10Admin100SuperAdmin1000()
    {
        Assert.Equal(10, Role.Member.Priority());
        Assert.Equal(100, Role.Admin.Priority());
        Assert.Equal(1000, Role.SuperAdmin.Priority());
        Assert.False(Role.Member.IsAdministrator());
        Assert.True(Role.Admin.IsAdministrator());
        Assert.True(Role.SuperAdmin.IsAdministrator());
    }

    [Fact]
    public void AssignableBy_Admin_NeverAboveOwnRole() =>
        Assert.Equal([Role.Member, Role.Admin], Roles.AssignableBy(Role.Admin));

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
