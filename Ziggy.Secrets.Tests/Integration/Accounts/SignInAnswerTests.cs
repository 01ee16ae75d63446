using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;

namespace Ziggy.Secrets.Tests.Integration.Accounts;

/// <summary>
/// Sign-in answers nothing about which addresses have an account: an unknown address, a wrong password and a locked
/// account get the same page, and cost the same password hashing.
/// </summary>
public partial class SignInAnswerTests : IDisposable
{
    private readonly ZiggyAppFactory _app;
    private readonly HashCounter _hashes = new();

    public SignInAnswerTests()
        : this(services => new ZiggyAppFactory { TestServices = services })
    {
    }

    protected SignInAnswerTests(Func<Action<IServiceCollection>, ZiggyAppFactory> newApp) => _app = newApp(_hashes.Register);

    public void Dispose() => _app.Dispose();

    /// <summary>What differs between any two answers: the antiforgery token and the CSP nonce, fresh for every request.</summary>
    [GeneratedRegex("CfDJ8[A-Za-z0-9_-]+|name=\"csp-nonce\" content=\"[^\"]+\"")]
    private static partial Regex PerRequestValues();

    /// <summary>One attempt through the real form: the status and the page, with the address typed and the per-request values blanked.</summary>
    private async Task<(HttpStatusCode Status, string Page, int Hashes)> AttemptAsync(TestSession session, string email, string password)
    {
        var form = await session.GetPageAsync("/Account/SignIn");
        var before = _hashes.Verifications;
        var response = await session.SubmitAsync(form.Form(), new() { ["Input.Email"] = email, ["Input.Password"] = password });
        var page = PerRequestValues().Replace((await response.Content.ReadAsStringAsync()).Replace(email, "EMAIL", StringComparison.Ordinal), "TOKEN");
        return (response.StatusCode, page, _hashes.Verifications - before);
    }

    [Fact]
    public async Task SignIn_ExistingAccountBeforeDuringAndAfterLockout_AnsweredExactlyLikeAnUnknownAddress()
    {
        await _app.SetUpAsync();
        using var known = _app.CreateSession();
        using var unknown = _app.CreateSession();
        var nobody = await AttemptAsync(unknown, "nobody@acme.test", "wrong password!!");
        Assert.Equal(HttpStatusCode.OK, nobody.Status);
        Assert.Contains(SignInService.IncorrectMessage, nobody.Page);

        // Five wrong passwords (the fifth locks the account), then the right one while it is locked.
        var answers = new List<(HttpStatusCode Status, string Page, int Hashes)>();
        for (var i = 0; i < 5; i++) answers.Add(await AttemptAsync(known, "owner@acme.test", "wrong password!!"));
        answers.Add(await AttemptAsync(known, "owner@acme.test", ZiggyAppFactory.Password));

        var locked = await _app.WithDbAsync(db => db.Users.Select(u => u.LockoutEnd).SingleAsync());
        Assert.True(locked > DateTimeOffset.UtcNow, "The control: the account is locked.");
        foreach (var (answer, i) in answers.Select((a, i) => (a, i)))
        {
            Assert.True(nobody.Status == answer.Status, $"Attempt {i + 1}: {answer.Status}");
            Assert.True(nobody.Page == answer.Page, $"Attempt {i + 1} answered differently from an unknown address:\n{Difference(nobody.Page, answer.Page)}");
            Assert.True(nobody.Hashes == answer.Hashes, $"Attempt {i + 1} hashed {answer.Hashes} time(s), an unknown address {nobody.Hashes}.");
        }

        Assert.Equal(nobody.Page, (await AttemptAsync(unknown, "nobody@acme.test", ZiggyAppFactory.Password)).Page);
        Assert.Equal(1, nobody.Hashes);
    }

    private static string Difference(string expected, string actual)
    {
        var at = 0;
        while (at < expected.Length && at < actual.Length && expected[at] == actual[at]) at++;
        string Around(string text) => text[Math.Max(0, at - 80)..Math.Min(text.Length, at + 80)];
        return $"unknown address: …{Around(expected)}…\nthis attempt:    …{Around(actual)}…";
    }

    /// <summary>Counts password checks, the expensive step a response time could betray.</summary>
    private sealed class HashCounter
    {
        private int _verifications;

        public int Verifications => Volatile.Read(ref _verifications);

        public void Register(IServiceCollection services) =>
            services.Replace(ServiceDescriptor.Scoped<IPasswordHasher<ApplicationUser>>(sp =>
                new Counting(new PasswordHasher<ApplicationUser>(sp.GetRequiredService<IOptions<PasswordHasherOptions>>()), this)));

        private sealed class Counting(IPasswordHasher<ApplicationUser> inner, HashCounter counter) : IPasswordHasher<ApplicationUser>
        {
            public string HashPassword(ApplicationUser user, string password) => inner.HashPassword(user, password);

            public PasswordVerificationResult VerifyHashedPassword(ApplicationUser user, string hashedPassword, string providedPassword)
            {
                Interlocked.Increment(ref counter._verifications);
                return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
            }
        }
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
[RequiresPostgres]
public sealed class SignInAnswerTestsOnPostgres() : SignInAnswerTests(services => new PostgresAppFactory { TestServices = services });
