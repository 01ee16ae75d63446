using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;

namespace Ziggy.Secrets.Tests.Integration.Accounts;

public class TwoFactorTests : IDisposable
{
    private readonly ZiggyAppFactory _app;

    public TwoFactorTests()
        : this(new ZiggyAppFactory())
    {
    }

    protected TwoFactorTests(ZiggyAppFactory app) => _app = app;

    public void Dispose() => _app.Dispose();

    /// <summary>Sets up an authenticator app on the Two-factor page, as a person would: the key read off the page, the codes shown.</summary>
    internal static async Task<(string Key, IReadOnlyList<string> RecoveryCodes, IHtmlDocument Page)> EnrolAsync(TestSession session)
    {
        var page = await session.GetPageAsync("/Account/TwoFactor");
        // After "Set up a new authenticator app" the new key is already waiting on the page.
        var setup = page.QuerySelector("form[action*='handler=Start']") is null ? page : await session.SubmitAndFollowAsync(page.Form("form[action*='handler=Start']"));
        var key = setup.QuerySelector("[data-testid=authenticator-key]")!.TextContent.Replace(" ", "", StringComparison.Ordinal);
        var done = await session.SubmitAndFollowAsync(setup.Form("form[action*='handler=Confirm']"), new() { ["Input.Code"] = Totp.Code(key) });
        var codes = done.QuerySelectorAll("[data-testid=recovery-codes] li").Select(li => li.TextContent.Trim()).ToList();
        return (key, codes, done);
    }

    /// <summary>A member who signed in and set up two-factor sign-in (then signed out); answers the key and recovery codes.</summary>
    private async Task<(string Key, IReadOnlyList<string> RecoveryCodes)> EnrolledAsync(string email)
    {
        using var session = await _app.SignInAsync(email);
        var (key, codes, _) = await EnrolAsync(session);
        return (key, codes);
    }

    /// <summary>The password step through the real sign-in form.</summary>
    private async Task<(TestSession Session, HttpResponseMessage Response)> PasswordStepAsync(
        string email, string password = ZiggyAppFactory.Password, string baseAddress = "http://localhost")
    {
        var session = _app.CreateSession(baseAddress);
        var page = await session.GetPageAsync("/Account/SignIn");
        var response = await session.SubmitAsync(page.Form(), new() { ["Input.Email"] = email, ["Input.Password"] = password });
        return (session, response);
    }

    /// <summary>The code step through its real form (or the recovery-code form).</summary>
    private static async Task<HttpResponseMessage> CodeStepAsync(TestSession session, string code, bool recovery = false)
    {
        var page = await session.GetPageAsync("/Account/SignInTwoFactor");
        return recovery
            ? await session.SubmitAsync(page.Form("form[action*='handler=Recovery']"), new() { ["Input.RecoveryCode"] = code })
            : await session.SubmitAsync(page.Form(), new() { ["Input.Code"] = code });
    }

    private static async Task<string> FormErrorAsync(HttpResponseMessage response) => (await TestSession.ParseAsync(response)).FormError();

    private static async Task<bool> SignedInAsync(TestSession session) => (await session.GetAsync("/Secrets")).StatusCode == HttpStatusCode.OK;

    private Task<bool> TwoFactorEnabledAsync(Guid userId) => _app.WithDbAsync(db => db.Users.Where(u => u.Id == userId).Select(u => u.TwoFactorEnabled).SingleAsync());

    private Task<int> IdentityTokenCountAsync(Guid userId) =>
        _app.WithDbAsync(db => db.UserTokens.CountAsync(t => t.UserId == userId && t.LoginProvider == TwoFactorService.IdentityLoginProvider));

    private Task SetRequirementAsync(Guid organizationId, TwoFactorRequirement requirement) =>
        _app.WithDbAsync(db => db.Organizations.Where(o => o.Id == organizationId).ExecuteUpdateAsync(o => o.SetProperty(x => x.TwoFactorRequirement, requirement)));

    [Fact]
    public async Task Enrol_ScanAndConfirm_TurnsOnShowsTenRecoveryCodesOnceAndKeepsTheSession()
    {
        var owner = await _app.SetUpAsync();
        using var session = await _app.SignInAsync("owner@acme.test");
        var start = await session.GetPageAsync("/Account/TwoFactor");
        Assert.Contains("Off", start.QuerySelector("[data-testid=two-factor-status]")!.TextContent);
        var setup = await session.SubmitAndFollowAsync(start.Form("form[action*='handler=Start']"));
        setup.AssertEveryFieldLabelled();
        Assert.StartsWith("data:image/svg+xml;base64,", setup.QuerySelector<IHtmlImageElement>("img.qr-code")!.Source);
        var grouped = setup.QuerySelector("[data-testid=authenticator-key]")!.TextContent;
        Assert.Matches("^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$", grouped);
        Assert.False(await TwoFactorEnabledAsync(owner.Id));

        var (key, codes, done) = await EnrolAsync(session);

        Assert.Equal(10, codes.Count);
        Assert.All(codes, c => Assert.Matches("^[A-Z0-9]{5}-[A-Z0-9]{5}$", c));
        Assert.Equal(10, codes.Distinct().Count());
        Assert.Contains("Two-factor sign-in is on", done.Text());
        Assert.True(await TwoFactorEnabledAsync(owner.Id));
        // Identity gave the user a new security stamp; this session was renewed with it.
        Assert.True(await SignedInAsync(session));
        var later = await session.GetPageAsync("/Account/TwoFactor");
        Assert.Contains("10 of 10 recovery codes left", later.Text());
        Assert.DoesNotContain(codes[0], later.Source.Text);
        Assert.DoesNotContain(key, later.Source.Text);
        Assert.Null(later.QuerySelector("img.qr-code"));
        var audited = await _app.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == AuditAction.TwoFactorEnabled));
        Assert.Equal(owner.Id, audited.TargetUserId);
        Assert.DoesNotContain(key, audited.Details);
    }

    [Fact]
    public async Task Enrol_WrongCode_StaysOffAndShowsTheSameKey()
    {
        var owner = await _app.SetUpAsync();
        using var session = await _app.SignInAsync("owner@acme.test");
        var page = await session.GetPageAsync("/Account/TwoFactor");
        var setup = await session.SubmitAndFollowAsync(page.Form("form[action*='handler=Start']"));
        var key = setup.QuerySelector("[data-testid=authenticator-key]")!.TextContent;

        var refused = await session.SubmitAndFollowAsync(setup.Form("form[action*='handler=Confirm']"), new() { ["Input.Code"] = Totp.WrongCode(key.Replace(" ", "", StringComparison.Ordinal)) });

        Assert.Equal(SignInService.InvalidCodeMessage, refused.FieldError("Input.Code"));
        Assert.Equal(key, refused.QuerySelector("[data-testid=authenticator-key]")!.TextContent);
        Assert.False(await TwoFactorEnabledAsync(owner.Id));
    }

    [Fact]
    public async Task SignIn_PasswordThenCode_SessionOpensOnlyAfterTheCode()
    {
        var owner = await _app.SetUpAsync();
        var (key, _) = await EnrolledAsync("owner@acme.test");

        var (session, password) = await PasswordStepAsync("owner@acme.test");
        using var _ = session;

        Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
        Assert.Equal("/Account/SignInTwoFactor", password.Headers.Location!.OriginalString);
        var cookies = password.Headers.GetValues("Set-Cookie").ToList();
        Assert.DoesNotContain(cookies, c => c.StartsWith("ziggy.auth=", StringComparison.Ordinal));
        var pending = cookies.Single(c => c.StartsWith("ziggy.2fa=", StringComparison.Ordinal));
        Assert.Contains("httponly", pending, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", pending, StringComparison.OrdinalIgnoreCase);
        Assert.False(await SignedInAsync(session));
        (await session.GetPageAsync("/Account/SignInTwoFactor")).AssertEveryFieldLabelled();

        var code = await CodeStepAsync(session, Totp.Code(key, 1));

        Assert.Equal(HttpStatusCode.Redirect, code.StatusCode);
        Assert.Equal("/", code.Headers.Location!.OriginalString);
        Assert.True(await SignedInAsync(session));
        var audited = await _app.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == AuditAction.SignInSucceeded && e.ActorId == owner.Id)
            .OrderByDescending(e => e.Id).Select(e => e.Details).FirstAsync());
        Assert.Equal("Signed in with an authenticator code.", audited);
    }

    [Fact]
    public async Task SignIn_OverHttps_TwoFactorCookieIsSecureWithHostPrefixAndTheCodeStepWorks()
    {
        await _app.SetUpAsync();
        var (key, _) = await EnrolledAsync("owner@acme.test");

        var (session, password) = await PasswordStepAsync("owner@acme.test", baseAddress: "https://localhost");
        using var _ = session;

        var pending = password.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-ziggy.2fa=", StringComparison.Ordinal));
        Assert.Contains("secure", pending, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/;", pending + ";", StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", pending, StringComparison.OrdinalIgnoreCase);
        var code = await CodeStepAsync(session, Totp.Code(key, 1));
        Assert.Contains(code.Headers.GetValues("Set-Cookie"), c => c.StartsWith("__Host-ziggy.auth=", StringComparison.Ordinal));
        Assert.True(await SignedInAsync(session));
    }

    [Fact]
    public async Task SignIn_ReturnUrl_KeptThroughTheCodeStepButOnlyLocal()
    {
        await _app.SetUpAsync();
        var (key, _) = await EnrolledAsync("owner@acme.test");

        using var session = _app.CreateSession();
        var page = await session.GetPageAsync("/Account/SignIn?ReturnUrl=%2FTeam");
        var password = await session.SubmitAsync(page.Form(), new() { ["Input.Email"] = "owner@acme.test", ["Input.Password"] = ZiggyAppFactory.Password });
        var codePage = await session.GetPageAsync(password.Headers.Location!.OriginalString);
        var code = await session.SubmitAsync(codePage.Form(), new() { ["Input.Code"] = Totp.Code(key, 1) });
        Assert.Equal("/Team", code.Headers.Location!.OriginalString);

        using var other = _app.CreateSession();
        page = await other.GetPageAsync("/Account/SignIn?ReturnUrl=https%3A%2F%2Fevil.test%2F");
        password = await other.SubmitAsync(page.Form(), new() { ["Input.Email"] = "owner@acme.test", ["Input.Password"] = ZiggyAppFactory.Password });
        codePage = await other.GetPageAsync(password.Headers.Location!.OriginalString);
        code = await other.SubmitAsync(codePage.Form(), new() { ["Input.Code"] = Totp.Code(key, 2) });
        Assert.Equal("/", code.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task SignIn_SameCodeTwice_SecondUseRefused()
    {
        var owner = await _app.SetUpAsync();
        var (key, _) = await EnrolledAsync("owner@acme.test");
        var code = Totp.Code(key, 1);
        var (first, _) = await PasswordStepAsync("owner@acme.test");
        Assert.Equal(HttpStatusCode.Redirect, (await CodeStepAsync(first, code)).StatusCode);

        var (second, _) = await PasswordStepAsync("owner@acme.test");
        var replayed = await CodeStepAsync(second, code);

        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.Contains(SignInService.InvalidCodeMessage, await FormErrorAsync(replayed));
        Assert.False(await SignedInAsync(second));
        // Other spellings of the same number are the same spent code to Identity's parser too.
        foreach (var spelling in new[] { "0" + code, " " + code, "+" + code })
            Assert.False(await _app.WithServiceAsync<UserManager<ApplicationUser>, bool>(async users =>
                await users.VerifyTwoFactorTokenAsync((await users.FindByIdAsync(owner.Id.ToString()))!, TokenOptions.DefaultAuthenticatorProvider, spelling)), spelling);
        // A fresh code still works.
        Assert.Equal(HttpStatusCode.Redirect, (await CodeStepAsync(second, Totp.Code(key, 2))).StatusCode);
        first.Dispose();
        second.Dispose();
    }

    [Fact]
    public async Task SignIn_RecoveryCode_SignsInOnceThenIsSpent()
    {
        var owner = await _app.SetUpAsync();
        var (_, codes) = await EnrolledAsync("owner@acme.test");
        var (session, _) = await PasswordStepAsync("owner@acme.test");
        using var first = session;

        // Typed in lower case and without the dash, as people do.
        var used = await CodeStepAsync(first, codes[3].ToLowerInvariant().Replace("-", "", StringComparison.Ordinal), recovery: true);

        Assert.Equal(HttpStatusCode.Redirect, used.StatusCode);
        Assert.True(await SignedInAsync(first));
        Assert.Contains("9 of 10 recovery codes left", (await first.GetPageAsync("/Account/TwoFactor")).Text());
        var audited = await _app.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == AuditAction.SignInSucceeded && e.ActorId == owner.Id)
            .OrderByDescending(e => e.Id).Select(e => e.Details).FirstAsync());
        Assert.Equal("Signed in with a recovery code (9 left).", audited);

        var (again, _) = await PasswordStepAsync("owner@acme.test");
        using var second = again;
        var spent = await CodeStepAsync(second, codes[3], recovery: true);

        Assert.Contains(SignInService.InvalidRecoveryCodeMessage, await FormErrorAsync(spent));
        Assert.False(await SignedInAsync(second));
        Assert.Equal(HttpStatusCode.Redirect, (await CodeStepAsync(second, codes[4], recovery: true)).StatusCode);
    }

    [Fact]
    public async Task SignIn_FiveWrongCodes_LockOutForFiveMinutesEvenForTheRightCode()
    {
        var owner = await _app.SetUpAsync();
        var (key, _) = await EnrolledAsync("owner@acme.test");
        var (session, _) = await PasswordStepAsync("owner@acme.test");
        using var _ = session;

        var answers = new List<string>();
        for (var i = 0; i < 5; i++) answers.Add(await FormErrorAsync(await CodeStepAsync(session, Totp.WrongCode(key))));

        Assert.All(answers.Take(4), a => Assert.Equal(SignInService.InvalidCodeMessage, a));
        Assert.Equal(SignInService.LockedOutMessage, answers[4]);
        // Locked, the right code and a wrong one get the same answer: no oracle for codes while locked.
        Assert.Equal(SignInService.LockedOutMessage, await FormErrorAsync(await CodeStepAsync(session, Totp.Code(key, 1))));
        Assert.Equal(SignInService.LockedOutMessage, await FormErrorAsync(await CodeStepAsync(session, Totp.WrongCode(key))));
        Assert.False(await SignedInAsync(session));
        // The password step keeps giving anyone who types the email its one answer: the lock is not revealed there.
        var (other, password) = await PasswordStepAsync("owner@acme.test", "any password at all");
        using var __ = other;
        Assert.Equal(SignInService.IncorrectMessage, await FormErrorAsync(password));
        var lockoutEnd = await _app.WithDbAsync(db => db.Users.Where(u => u.Id == owner.Id).Select(u => u.LockoutEnd).SingleAsync());
        Assert.InRange(lockoutEnd!.Value - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(4.5), TimeSpan.FromMinutes(5));
        // Every refused attempt is in the audit trail: five wrong codes, two while locked, one password.
        Assert.Equal(8, await _app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == AuditAction.SignInFailed && e.ActorId == owner.Id)));
    }

    [Fact]
    public async Task SignIn_WrongPasswordsAndWrongCodes_CountTogether()
    {
        await _app.SetUpAsync();
        var (key, _) = await EnrolledAsync("owner@acme.test");
        for (var i = 0; i < 3; i++) (await PasswordStepAsync("owner@acme.test", "wrong password!!")).Session.Dispose();
        var (session, _) = await PasswordStepAsync("owner@acme.test");
        using var _ = session;

        Assert.Equal(SignInService.InvalidCodeMessage, await FormErrorAsync(await CodeStepAsync(session, Totp.WrongCode(key))));
        Assert.Equal(SignInService.LockedOutMessage, await FormErrorAsync(await CodeStepAsync(session, Totp.WrongCode(key))));
    }

    [Fact]
    public async Task CodeStep_WithoutPasswordStep_GoesBackToSignInAndOpensNothing()
    {
        await _app.SetUpAsync();
        var (key, _) = await EnrolledAsync("owner@acme.test");
        using var session = _app.CreateSession();

        var get = await session.GetAsync("/Account/SignInTwoFactor");
        Assert.Equal(HttpStatusCode.Redirect, get.StatusCode);
        Assert.StartsWith("/Account/SignIn", get.Headers.Location!.OriginalString);

        // A right code, posted by a browser that did not pass the password step.
        var signInPage = await session.GetPageAsync("/Account/SignIn");
        var token = signInPage.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        var post = await session.PostFormAsync("/Account/SignInTwoFactor", new() { ["Input.Code"] = Totp.Code(key, 1), ["__RequestVerificationToken"] = token });

        Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        Assert.StartsWith("/Account/SignIn", post.Headers.Location!.OriginalString);
        Assert.False(await SignedInAsync(session));
    }

    [Fact]
    public async Task SignIn_WithoutTwoFactor_PasswordAloneStillSignsIn()
    {
        await _app.SetUpAsync();
        var (session, response) = await PasswordStepAsync("owner@acme.test");
        using var _ = session;

        Assert.Equal("/", response.Headers.Location!.OriginalString);
        Assert.True(await SignedInAsync(session));
    }

    /// <summary>Submits the Two-factor page's change form with the given button (by its handler) and password.</summary>
    private static async Task<HttpResponseMessage> ManageAsync(TestSession session, string handler, string password)
    {
        var page = await session.GetPageAsync("/Account/TwoFactor");
        var button = page.QuerySelector<IHtmlButtonElement>($"button[formaction*='handler={handler}']")
                     ?? throw new InvalidOperationException($"The page offers no {handler} button.");
        return await session.SubmitAsync(page.Form(), new() { ["Manage.Password"] = password }, submitter: button);
    }

    [Theory]
    [InlineData("Disable")]
    [InlineData("Replace")]
    [InlineData("RecoveryCodes")]
    public async Task Manage_WrongPassword_RefusedAndCountedAsAFailedSignIn(string handler)
    {
        var owner = await _app.SetUpAsync();
        using var session = await _app.SignInAsync("owner@acme.test");
        var (_, codes, _) = await EnrolAsync(session);

        var refused = await TestSession.ParseAsync(await ManageAsync(session, handler, "not my password"));

        Assert.Equal(TwoFactorService.WrongPasswordMessage, refused.FieldError("Manage.Password"));
        Assert.True(await TwoFactorEnabledAsync(owner.Id));
        Assert.Contains("10 of 10 recovery codes left", refused.Text());
        Assert.DoesNotContain(codes[0], refused.Source.Text);
        Assert.Equal(1, await _app.WithDbAsync(db => db.Users.Where(u => u.Id == owner.Id).Select(u => u.AccessFailedCount).SingleAsync()));
    }

    [Fact]
    public async Task Disable_WithPassword_TurnsOffForgetsTheKeyAndPasswordAloneSignsIn()
    {
        var owner = await _app.SetUpAsync();
        using var session = await _app.SignInAsync("owner@acme.test");
        await EnrolAsync(session);

        var response = await ManageAsync(session, "Disable", ZiggyAppFactory.Password);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.False(await TwoFactorEnabledAsync(owner.Id));
        Assert.Equal(0, await IdentityTokenCountAsync(owner.Id));
        Assert.True(await SignedInAsync(session));
        var page = await session.GetPageAsync("/Account/TwoFactor");
        Assert.Contains("Off", page.QuerySelector("[data-testid=two-factor-status]")!.TextContent);
        Assert.NotNull(page.QuerySelector("form[action*='handler=Start']"));
        Assert.Equal(1, await _app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == AuditAction.TwoFactorDisabled && e.TargetUserId == owner.Id)));
        var (again, password) = await PasswordStepAsync("owner@acme.test");
        using var _ = again;
        Assert.Equal("/", password.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Disable_RequiredByOrganization_NotOfferedAndRefused()
    {
        var owner = await _app.SetUpAsync();
        using var session = await _app.SignInAsync("owner@acme.test");
        await EnrolAsync(session);
        await SetRequirementAsync(owner.OrganizationId, TwoFactorRequirement.Administrators);
        var page = await session.GetPageAsync("/Account/TwoFactor");
        Assert.Null(page.QuerySelector("button[formaction*='handler=Disable']"));

        var response = await session.PostFormAsync("/Account/TwoFactor?handler=Disable", new()
        {
            ["Manage.Password"] = ZiggyAppFactory.Password,
            ["__RequestVerificationToken"] = page.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value,
        });

        Assert.Contains(TwoFactorService.RequiredMessage, await FormErrorAsync(response));
        Assert.True(await TwoFactorEnabledAsync(owner.Id));
    }

    [Fact]
    public async Task RenewRecoveryCodes_WithPassword_NewCodesShownOnceAndOldOnesStopWorking()
    {
        var owner = await _app.SetUpAsync();
        using var session = await _app.SignInAsync("owner@acme.test");
        var (_, old, _) = await EnrolAsync(session);

        var renewed = await TestSession.ParseAsync(await ManageAsync(session, "RecoveryCodes", ZiggyAppFactory.Password));

        var codes = renewed.QuerySelectorAll("[data-testid=recovery-codes] li").Select(li => li.TextContent.Trim()).ToList();
        Assert.Equal(10, codes.Count);
        Assert.Empty(codes.Intersect(old));
        Assert.DoesNotContain(codes[0], (await session.GetPageAsync("/Account/TwoFactor")).Source.Text);
        var (other, _) = await PasswordStepAsync("owner@acme.test");
        using var _ = other;
        Assert.Contains(SignInService.InvalidRecoveryCodeMessage, await FormErrorAsync(await CodeStepAsync(other, old[0], recovery: true)));
        Assert.Equal(HttpStatusCode.Redirect, (await CodeStepAsync(other, codes[0], recovery: true)).StatusCode);
        Assert.Equal(1, await _app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == AuditAction.TwoFactorRecoveryCodesRenewed && e.TargetUserId == owner.Id)));
    }

    [Fact]
    public async Task ReplaceAuthenticator_WithPassword_OldAppAndCodesStopWorkingUntilTheNewOneIsConfirmed()
    {
        var owner = await _app.SetUpAsync();
        using var session = await _app.SignInAsync("owner@acme.test");
        var (oldKey, oldCodes, _) = await EnrolAsync(session);

        var replaced = await ManageAsync(session, "Replace", ZiggyAppFactory.Password);
        Assert.True(HttpStatusCode.Redirect == replaced.StatusCode, (await TestSession.ParseAsync(replaced)).FormError());
        Assert.False(await TwoFactorEnabledAsync(owner.Id));
        var (newKey, newCodes, _) = await EnrolAsync(session);

        Assert.NotEqual(oldKey, newKey);
        Assert.Equal(10, newCodes.Count);
        var (other, _) = await PasswordStepAsync("owner@acme.test");
        using var _ = other;
        Assert.Contains(SignInService.InvalidRecoveryCodeMessage, await FormErrorAsync(await CodeStepAsync(other, oldCodes[0], recovery: true)));
        var oldCode = Totp.Code(oldKey, 1);
        if (oldCode != Totp.Code(newKey, 1))
            Assert.Contains(SignInService.InvalidCodeMessage, await FormErrorAsync(await CodeStepAsync(other, oldCode)));
        var fresh = await CodeStepAsync(other, Totp.Code(newKey, 2));
        Assert.True(HttpStatusCode.Redirect == fresh.StatusCode, await FormErrorAsync(fresh));
    }
}

[RequiresPostgres]
public sealed class TwoFactorTestsOnPostgres() : TwoFactorTests(new PostgresAppFactory());
