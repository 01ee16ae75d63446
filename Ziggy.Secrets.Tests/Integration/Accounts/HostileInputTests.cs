using System.Net;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;

namespace Ziggy.Secrets.Tests.Integration.Accounts;

/// <summary>Whatever a client sends, the answer is a page or a clear refusal, never a 500.</summary>
public class HostileInputTests : IDisposable
{
    private readonly ZiggyAppFactory _app;

    public HostileInputTests()
        : this(new ZiggyAppFactory())
    {
    }

    protected HostileInputTests(ZiggyAppFactory app) => _app = app;

    public void Dispose() => _app.Dispose();

    public static TheoryData<string, string, string> Garbage => new()
    {
        { "/Team?handler=Role&id=not-a-guid", "role", "Admin" },
        { "/Team?handler=Role&id=00000000-0000-0000-0000-000000000000", "role", "Emperor" },
        { "/Team?handler=Role&id={member}", "role", "" },
        { "/Team?handler=Role&id={member}", "role", "99999" },
        { "/Team?handler=Status&id={member}", "active", "maybe" },
        { "/Team?handler=Invite", "Invite.Role", "Root" },
        { "/Team?handler=Invite", "Invite.Email", new string('a', 100_000) + "@x.test" },
        { "/Organizations", "Input.Name", new string('x', 5000) },
        { "/Account/SignIn", "Input.Email", "\0\u202e<script>" },
        { "/Invitations/Accept/" + new string('t', 500), "Input.Password", "x" },
        { "/Team?handler=Nope", "x", "y" },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task Post_Garbage_NeverA500AndChangesNoMember(string url, string field, string value)
    {
        var owner = await _app.SetUpAsync();
        var member = await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia");
        using var session = await _app.SignInAsync("owner@acme.test");
        var page = await session.GetPageAsync("/Team");
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

        foreach (var htmx in new[] { false, true })
        {
            var response = await session.PostFormAsync(url.Replace("{member}", member.Id.ToString()),
                new() { [field] = value, ["__RequestVerificationToken"] = token }, htmx);
            Assert.True((int)response.StatusCode < 500, $"{url} answered {(int)response.StatusCode}");
        }

        var stored = await _app.WithDbAsync(db => db.Users.FindAsync(member.Id).AsTask());
        Assert.Equal(Role.Member, stored!.Role);
        Assert.True(stored.IsActive);
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/Secrets")).StatusCode);
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
[RequiresPostgres]
public sealed class HostileInputTestsOnPostgres() : HostileInputTests(new PostgresAppFactory());
