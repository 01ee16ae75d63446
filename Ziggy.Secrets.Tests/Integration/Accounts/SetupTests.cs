using System.Net;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;

namespace Ziggy.Secrets.Tests.Integration.Accounts;

public class SetupTests : IDisposable
{
    private readonly ZiggyAppFactory _app;

    public SetupTests()
        : this(new ZiggyAppFactory())
    {
    }

    protected SetupTests(ZiggyAppFactory app) => _app = app;

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("/")]
    [InlineData("/Team")]
    [InlineData("/Account/SignIn")]
    [InlineData("/Organizations")]
    public async Task AnyPage_NoUserYet_RedirectsToSetup(string path)
    {
        using var session = _app.CreateSession();
        var response = await session.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Setup", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Setup_ValidForm_CreatesOrganizationAndSuperAdminAndSignsIn()
    {
        using var session = _app.CreateSession();
        var page = await session.GetPageAsync("/Setup");
        page.AssertEveryFieldLabelled();

        var home = await session.SubmitAndFollowAsync(page.Form(), new()
        {
            ["Input.OrganizationName"] = "Acme Corp",
            ["Input.DisplayName"] = "Ada Admin",
            ["Input.Email"] = "ada@acme.test",
            ["Input.Password"] = "a long enough password",
            ["Input.ConfirmPassword"] = "a long enough password",
        });

        Assert.Equal("Ada Admin", home.QuerySelector("[data-testid=user-name]")?.TextContent);
        Assert.Equal("Acme Corp", home.QuerySelector("[data-testid=organization-name]")?.TextContent);
        Assert.Equal("SuperAdmin", home.QuerySelector(".role-badge")?.TextContent);
        var user = await _app.WithDbAsync(db => db.Users.Include(u => u.Organization).SingleAsync());
        Assert.Equal(Role.SuperAdmin, user.Role);
        Assert.Equal("Acme Corp", user.Organization!.Name);
    }

    [Fact]
    public async Task Setup_AfterFirstUser_Answers404ForGetAndPost()
    {
        using var session = _app.CreateSession();
        var page = await session.GetPageAsync("/Setup");
        await _app.SetUpAsync();

        Assert.Equal(HttpStatusCode.NotFound, (await session.GetAsync("/Setup")).StatusCode);
        var post = await session.SubmitAsync(page.Form(), new()
        {
            ["Input.OrganizationName"] = "Evil Corp",
            ["Input.DisplayName"] = "Mallory",
            ["Input.Email"] = "mallory@evil.test",
            ["Input.Password"] = "a long enough password",
            ["Input.ConfirmPassword"] = "a long enough password",
        });
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.Equal(1, await _app.WithDbAsync(db => db.Users.CountAsync()));
        Assert.Equal(1, await _app.WithDbAsync(db => db.Organizations.CountAsync()));
    }

    [Theory]
    [InlineData("Input.Password", "short", "short", "Passwords must be at least 12 characters.")]
    [InlineData("Input.ConfirmPassword", "a long enough password", "another long password", "The two passwords do not match.")]
    [InlineData("Input.Email", "a long enough password", "a long enough password", "Enter a valid email address.")]
    public async Task Setup_BadInput_ShowsErrorNextToFieldAndCreatesNothing(string field, string password, string confirm, string message)
    {
        using var session = _app.CreateSession();
        var page = await session.GetPageAsync("/Setup");
        var result = await session.SubmitAndFollowAsync(page.Form(), new()
        {
            ["Input.OrganizationName"] = "Acme",
            ["Input.DisplayName"] = "Ada",
            ["Input.Email"] = field == "Input.Email" ? "not-an-email" : "ada@acme.test",
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = confirm,
        });

        Assert.Equal(message, result.FieldError(field));
        Assert.Equal(0, await _app.WithDbAsync(db => db.Users.CountAsync()));
        Assert.Equal(0, await _app.WithDbAsync(db => db.Organizations.CountAsync()));
    }

    [Fact]
    public async Task Setup_EmptyForm_EveryRequiredFieldSaysWhatIsMissing()
    {
        using var session = _app.CreateSession();
        var page = await session.GetPageAsync("/Setup");
        var result = await session.SubmitAndFollowAsync(page.Form());

        Assert.Equal("Enter the organization's name.", result.FieldError("Input.OrganizationName"));
        Assert.Equal("Enter your name.", result.FieldError("Input.DisplayName"));
        Assert.Equal("Enter your email address.", result.FieldError("Input.Email"));
        Assert.Equal("Choose a password.", result.FieldError("Input.Password"));
    }

    [Fact]
    public async Task Setup_TwoAtOnce_OnlyOneOrganizationIsCreated()
    {
        var attempts = Enumerable.Range(0, 5).Select(i => _app.WithServiceAsync<SetupService, bool>(async s =>
            (await s.CompleteAsync(new SetupInput($"Org {i}", $"user{i}@acme.test", "User", ZiggyAppFactory.Password))).IsOk));
        var results = await Task.WhenAll(attempts);

        Assert.Single(results, ok => ok);
        Assert.Equal(1, await _app.WithDbAsync(db => db.Organizations.CountAsync()));
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
[RequiresPostgres]
public sealed class SetupTestsOnPostgres() : SetupTests(new PostgresAppFactory());
