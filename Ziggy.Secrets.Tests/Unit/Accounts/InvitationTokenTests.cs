using Ziggy.Secrets.Web.Accounts;

namespace Ziggy.Secrets.Tests.Unit.Accounts;

public sealed class InvitationTokenTests
{
    [Fact]
    public void Create_TwoTokens_AreDifferentAndUrlSafe()
    {
        var a = InvitationToken.Create();
        var b = InvitationToken.Create();
        Assert.NotEqual(a, b);
        Assert.Equal(43, a.Length);
        Assert.Matches("^[A-Za-z0-9_-]+$", a);
    }

    [Fact]
    public void Hash_IsStableHexAndNotTheToken()
    {
        var token = InvitationToken.Create();
        Assert.Equal(InvitationToken.Hash(token), InvitationToken.Hash(token));
        Assert.Matches("^[0-9a-f]{64}$", InvitationToken.Hash(token));
        Assert.DoesNotContain(token, InvitationToken.Hash(token));
    }

    [Fact]
    public void IsExpired_AtSevenDays_True()
    {
        var now = DateTimeOffset.UtcNow;
        var invitation = new Invitation { Email = "a@b.c", NormalizedEmail = "A@B.C", TokenHash = "x", CreatedAt = now, ExpiresAt = now + Invitation.Lifetime };
        Assert.False(invitation.IsExpired(now.AddDays(7).AddSeconds(-1)));
        Assert.True(invitation.IsExpired(now.AddDays(7)));
    }
}
