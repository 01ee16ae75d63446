using Ziggy.Secrets.Web.Accounts;

namespace Ziggy.Secrets.Tests.Unit.Accounts;

public sealed class TwoFactorRulesTests
{
    [Theory]
    [InlineData(TwoFactorRequirement.Off, Role.SuperAdmin, false)]
    [InlineData(TwoFactorRequirement.Administrators, Role.Member, false)]
    [InlineData(TwoFactorRequirement.Administrators, Role.Admin, true)]
    [InlineData(TwoFactorRequirement.Administrators, Role.SuperAdmin, true)]
    [InlineData(TwoFactorRequirement.Everyone, Role.Member, true)]
    public void AppliesTo_RoleUnderRequirement_RequiredOnlyWhereItSays(TwoFactorRequirement requirement, Role role, bool expected) =>
        Assert.Equal(expected, requirement.AppliesTo(role));

    [Fact]
    public void AppliesTo_UndefinedRequirement_RequiresNothing() =>
        Assert.False(((TwoFactorRequirement)42).AppliesTo(Role.SuperAdmin));

    [Theory]
    [InlineData("123456", "123456")]
    [InlineData(" 123 456 ", "123456")]
    [InlineData("123-456", "123456")]
    [InlineData(null, "")]
    public void NormalizeCode_SpacesAndDashes_Removed(string? typed, string expected) =>
        Assert.Equal(expected, TwoFactorCodes.NormalizeCode(typed));

    [Theory]
    [InlineData("ABCDE-FGH23", "ABCDE-FGH23")]
    [InlineData("abcde-fgh23", "ABCDE-FGH23")]
    [InlineData(" abcdefgh23 ", "ABCDE-FGH23")]
    [InlineData("ABC DE FGH 23", "ABCDE-FGH23")]
    [InlineData("short", "SHORT")]
    public void NormalizeRecoveryCode_CaseSpacesAndDash_DoNotMatter(string typed, string expected) =>
        Assert.Equal(expected, TwoFactorCodes.NormalizeRecoveryCode(typed));

    [Fact]
    public void Grouped_Key_InFours() =>
        Assert.Equal("ABCD EFGH IJ", TwoFactorCodes.Grouped("ABCDEFGHIJ"));
}
