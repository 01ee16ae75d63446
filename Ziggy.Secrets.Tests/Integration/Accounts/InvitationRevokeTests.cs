using AngleSharp.Dom;
using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;

namespace Ziggy.Secrets.Tests.Integration.Accounts;

/// <summary>Revoking and re-issuing open invitations from the Team page: who may, and which link works afterwards.</summary>
public class InvitationRevokeTests : IDisposable
{
    private readonly ZiggyAppFactory _app;

    public InvitationRevokeTests()
        : this(new ZiggyAppFactory())
    {
    }

    protected InvitationRevokeTests(ZiggyAppFactory app) => _app = app;

    public void Dispose() => _app.Dispose();

    private static async Task<string> InviteAsync(TestSession inviter, string email, string role)
    {
        var team = await inviter.GetPageAsync("/Team");
        var response = await inviter.SubmitAsync(team.Form("form.invite"), new() { ["Invite.Email"] = email, ["Invite.Role"] = role }, htmx: true);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var link = (await TestSession.ParseAsync(response)).QuerySelector<IHtmlInputElement>("[data-testid=invitation-link]");
        Assert.NotNull(link);
        return link.Value;
    }

    private Task<Guid> InvitationIdAsync(string email) =>
        _app.WithDbAsync(db => db.Invitations.Where(i => i.Email == email).Select(i => i.Id).SingleAsync());

    private static async Task<string> TokenAsync(TestSession session, string page = "/Team") =>
        (await session.GetPageAsync(page)).QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;

    private static async Task<HttpResponseMessage> PostAsync(TestSession session, string handler, Guid id, bool htmx = true, string page = "/Team") =>
        await session.PostFormAsync($"/Team?handler={handler}&id={id}", new() { ["__RequestVerificationToken"] = await TokenAsync(session, page) }, htmx);

    private async Task AssertLinkWorksAsync(string link, bool works)
    {
        using var invitee = _app.CreateSession();
        var response = await invitee.GetAsync(link);
        Assert.Equal(works ? HttpStatusCode.OK : HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task RevokeInvitation_Admin_OldLinkStopsWorkingAndIsAudited()
    {
        await _app.SetUpAsync();
        using var owner = await _app.SignInAsync("owner@acme.test");
        var link = await InviteAsync(owner, "mia@acme.test", "Member");
        await AssertLinkWorksAsync(link, works: true);
        var id = await InvitationIdAsync("mia@acme.test");

        var team = await owner.GetPageAsync("/Team");
        var row = team.QuerySelector($"#invitation-{id}");
        Assert.NotNull(row);
        var response = await owner.SubmitAsync(team.Form($"form[action*='handler=RevokeInvitation'][action*='{id}']"), htmx: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var fragment = await TestSession.ParseAsync(response);
        Assert.Null(fragment.QuerySelector($"#invitation-{id}"));
        Assert.Contains("revoked", string.Join(",", response.Headers.GetValues("HX-Trigger")));
        await AssertLinkWorksAsync(link, works: false);
        Assert.Equal(0, await _app.WithDbAsync(db => db.Invitations.CountAsync()));
        var audited = await _app.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == AuditAction.InvitationRevoked));
        Assert.Equal("mia@acme.test", audited.TargetName);

        // Replayed: the invitation is gone, nothing more happens.
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(owner, "RevokeInvitation", id)).StatusCode);
        Assert.Equal(1, await _app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == AuditAction.InvitationRevoked)));
    }

    [Fact]
    public async Task ReissueInvitation_Admin_NewLinkWorksOldOneDoesNot()
    {
        var owner = await _app.SetUpAsync();
        await _app.AddUserAsync(owner.OrganizationId, "ad@acme.test", Role.Admin, "Adam Admin");
        using var superAdmin = await _app.SignInAsync("owner@acme.test");
        var oldLink = await InviteAsync(superAdmin, "mia@acme.test", "Admin");
        var id = await InvitationIdAsync("mia@acme.test");
        using var admin = await _app.SignInAsync("ad@acme.test");

        var team = await admin.GetPageAsync("/Team");
        var response = await admin.SubmitAsync(team.Form($"form[action*='handler=ReissueInvitation'][action*='{id}']"), htmx: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var fragment = await TestSession.ParseAsync(response);
        var newLink = fragment.QuerySelector<IHtmlInputElement>("[data-testid=reissued-invitation-link]")!.Value;
        Assert.NotNull(fragment.QuerySelector("button[data-copy=reissued-invitation-link]"));
        Assert.NotEqual(oldLink, newLink);
        await AssertLinkWorksAsync(oldLink, works: false);
        var invitation = await _app.WithDbAsync(db => db.Invitations.SingleAsync());
        Assert.Equal(Role.Admin, invitation.Role);
        Assert.Equal(_app.Clock.GetUtcNow() + Invitation.Lifetime, invitation.ExpiresAt);
        var audited = await _app.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == AuditAction.InvitationReissued));
        Assert.Equal("Adam Admin", audited.ActorName);
        Assert.DoesNotContain(newLink.Split('/').Last(), audited.Details);

        // The new link is a working invitation: it opens and can be accepted.
        using var invitee = _app.CreateSession();
        var accept = await invitee.GetPageAsync(newLink);
        var accepted = await invitee.SubmitAsync(accept.Form(), new()
        {
            ["Input.DisplayName"] = "Mia", ["Input.Password"] = "member password 123", ["Input.ConfirmPassword"] = "member password 123",
        });
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Equal(Role.Admin, await _app.WithDbAsync(db => db.Users.Where(u => u.Email == "mia@acme.test").Select(u => u.Role).SingleAsync()));

        // An accepted invitation can no longer be revoked or re-issued.
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(admin, "ReissueInvitation", invitation.Id)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(admin, "RevokeInvitation", invitation.Id)).StatusCode);
    }

    [Fact]
    public async Task ReissueInvitation_PlainFormPost_ShowsTheNewLinkOnThePage()
    {
        await _app.SetUpAsync();
        using var owner = await _app.SignInAsync("owner@acme.test");
        var oldLink = await InviteAsync(owner, "mia@acme.test", "Member");
        var id = await InvitationIdAsync("mia@acme.test");

        var page = await TestSession.ParseAsync(await PostAsync(owner, "ReissueInvitation", id, htmx: false));

        var newLink = page.QuerySelector<IHtmlInputElement>("[data-testid=reissued-invitation-link]")!.Value;
        Assert.StartsWith("/Invitations/Accept/", newLink);
        await AssertLinkWorksAsync(oldLink, works: false);
        await AssertLinkWorksAsync(newLink, works: true);
    }

    [Fact]
    public async Task RevokeAndReissue_SuperAdminInvitation_AdminRefusedNothingChanges()
    {
        var owner = await _app.SetUpAsync();
        await _app.AddUserAsync(owner.OrganizationId, "ad@acme.test", Role.Admin, "Adam Admin");
        using var superAdmin = await _app.SignInAsync("owner@acme.test");
        var link = await InviteAsync(superAdmin, "boss@acme.test", "SuperAdmin");
        var id = await InvitationIdAsync("boss@acme.test");
        using var admin = await _app.SignInAsync("ad@acme.test");

        // The Admin is not offered the buttons, and the server refuses them anyway.
        var team = await admin.GetPageAsync("/Team");
        Assert.NotNull(team.QuerySelector($"#invitation-{id}"));
        Assert.Null(team.QuerySelector($"form[action*='{id}']"));
        var before = await _app.WithDbAsync(db => db.Invitations.AsNoTracking().SingleAsync());
        foreach (var handler in new[] { "ReissueInvitation", "RevokeInvitation" })
        {
            var response = await PostAsync(admin, handler, id);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var fragment = await TestSession.ParseAsync(response);
            Assert.Equal(TeamService.InvitationAboveOwnRoleMessage, fragment.QuerySelector("[data-testid=invitation-error]")!.TextContent.Trim());
            Assert.Null(fragment.QuerySelector("[data-testid=reissued-invitation-link]"));
        }

        var after = await _app.WithDbAsync(db => db.Invitations.AsNoTracking().SingleAsync());
        Assert.Equal(before.TokenHash, after.TokenHash);
        await AssertLinkWorksAsync(link, works: true);
        Assert.Equal(0, await _app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == AuditAction.InvitationRevoked || e.Action == AuditAction.InvitationReissued)));

        // A SuperAdmin may.
        var reissued = await TestSession.ParseAsync(await PostAsync(superAdmin, "ReissueInvitation", id));
        Assert.NotNull(reissued.QuerySelector("[data-testid=reissued-invitation-link]"));
        await AssertLinkWorksAsync(link, works: false);
    }

    [Fact]
    public async Task RevokeAndReissue_MemberOtherOrganizationOrForgedId_RefusedNothingChanges()
    {
        var owner = await _app.SetUpAsync();
        await _app.AddUserAsync(owner.OrganizationId, "mem@acme.test", Role.Member, "Meg Member");
        var globex = await _app.AddOrganizationAsync("Globex");
        await _app.AddUserAsync(globex, "oa@globex.test", Role.SuperAdmin, "Olga OtherAdmin");
        using var superAdmin = await _app.SignInAsync("owner@acme.test");
        var link = await InviteAsync(superAdmin, "mia@acme.test", "Member");
        var id = await InvitationIdAsync("mia@acme.test");
        var before = await _app.WithDbAsync(db => db.Invitations.AsNoTracking().SingleAsync());
        using var member = await _app.SignInAsync("mem@acme.test");
        using var other = await _app.SignInAsync("oa@globex.test");

        foreach (var handler in new[] { "ReissueInvitation", "RevokeInvitation" })
        {
            foreach (var htmx in new[] { true, false })
            {
                // A Member is told Team is for Admins; another organization's invitation, or none, is not found.
                Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(member, handler, id, htmx, page: "/Secrets")).StatusCode);
                Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(other, handler, id, htmx)).StatusCode);
                Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(superAdmin, handler, Guid.NewGuid(), htmx)).StatusCode);
            }

            // Path spellings of the id that do not parse as one: never a 500, never a change.
            foreach (var spelling in new[] { "", "not-a-guid", $"{id}%00", $"{{{id}}}x", "%27%20OR%201=1" })
            {
                var response = await superAdmin.PostFormAsync($"/Team?handler={handler}&id={spelling}",
                    new() { ["__RequestVerificationToken"] = await TokenAsync(superAdmin) }, htmx: true);
                Assert.True((int)response.StatusCode < 500, $"{handler} {spelling}: {(int)response.StatusCode}");
            }

            // Without the antiforgery token: refused.
            var forged = await superAdmin.PostFormAsync($"/Team?handler={handler}&id={id}", new(), htmx: true);
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        }

        using var anonymous = _app.CreateSession();
        var signedOut = await anonymous.PostFormAsync($"/Team?handler=RevokeInvitation&id={id}", new());
        Assert.NotEqual(HttpStatusCode.OK, signedOut.StatusCode);

        var after = await _app.WithDbAsync(db => db.Invitations.AsNoTracking().SingleAsync());
        Assert.Equal(before.TokenHash, after.TokenHash);
        await AssertLinkWorksAsync(link, works: true);
        Assert.Equal(0, await _app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == AuditAction.InvitationRevoked || e.Action == AuditAction.InvitationReissued)));
    }

    [Fact]
    public async Task ReissueInvitation_OldLinkReplayedAfterReissue_CannotBeAccepted()
    {
        await _app.SetUpAsync();
        using var owner = await _app.SignInAsync("owner@acme.test");
        var oldLink = await InviteAsync(owner, "mia@acme.test", "Member");
        using var invitee = _app.CreateSession();
        var openedBefore = await invitee.GetPageAsync(oldLink);
        await PostAsync(owner, "ReissueInvitation", await InvitationIdAsync("mia@acme.test"));

        // The form was opened while the old link still worked; submitting it now creates nothing.
        var response = await invitee.SubmitAsync(openedBefore.Form(), new()
        {
            ["Input.DisplayName"] = "Mia", ["Input.Password"] = "member password 123", ["Input.ConfirmPassword"] = "member password 123",
        });
        Assert.NotEqual(HttpStatusCode.Redirect, response.StatusCode);
        Assert.True((int)response.StatusCode < 500);
        Assert.False(await _app.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == "mia@acme.test")));
    }
}

[RequiresPostgres]
public sealed class InvitationRevokeTestsOnPostgres() : InvitationRevokeTests(new PostgresAppFactory());
