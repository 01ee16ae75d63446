using System.Net;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;

namespace Ziggy.Secrets.Tests.Integration.Security;

/// <summary>Headers, cookies, the sign-in rate limit and Data Protection keys, checked on every page and fragment.</summary>
public sealed class HardeningTests : IDisposable
{
    private readonly ZiggyAppFactory _app = new();

    public void Dispose() => _app.Dispose();

    private static void AssertSecurityHeaders(HttpResponseMessage response, string url, bool signedIn, bool revalidated = false)
    {
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        var scriptSrc = Regex.Match(csp, "script-src ([^;]+)").Groups[1].Value;
        Assert.Equal("'self'", scriptSrc.Trim());
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Contains("object-src 'none'", csp);
        Assert.Contains("base-uri 'none'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        if (revalidated)
        {
            // The grid's rows (no value, no mask): kept by this browser only, and revalidated before every use.
            Assert.True(response.Headers.CacheControl is { Private: true, NoCache: true, NoStore: false, Public: false }, $"{url}: {response.Headers.CacheControl}");
            Assert.NotNull(response.Headers.ETag);
        }
        else if (signedIn) Assert.True(response.Headers.CacheControl?.NoStore == true, $"{url} is cacheable");
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS is sent only over HTTPS");
    }

    [Fact]
    public async Task EveryPageAndFragment_CarriesTheSecurityHeaders()
    {
        var owner = await _app.SetUpAsync();
        using var session = await _app.SignInAsync("owner@acme.test");
        await SecretsUi.CreateAsync(session, "STRIPE_API_KEY", "", development: "value-1234567890");
        var id = await _app.WithDbAsync(db => db.Secrets.Select(s => s.Id).SingleAsync());
        var urls = new (string Url, bool Htmx)[]
        {
            ("/Secrets", false), ("/Secrets?handler=Rows", false), ("/Secrets?handler=New", true), ($"/Secrets?handler=Edit&id={id}", true),
            ($"/Secrets?handler=Edit&id={id}", false), ($"/Secrets?handler=Delete&id={id}", true), ("/Integrations", false),
            ("/Integrations/Edit", false), ("/Team", false), ("/Audit", false), ("/Audit?handler=Rows", false), ("/Organizations", false),
            ($"/Secrets?handler=Edit&id={Guid.NewGuid()}", false), ("/no-such-page", false),
        };
        foreach (var (url, htmx) in urls)
        {
            AssertSecurityHeaders(await session.GetAsync(url, htmx), url, signedIn: true, revalidated: url == "/Secrets?handler=Rows");
        }

        // Posts and error answers too.
        var refused = await SecretsUi.SaveAsync(session, id, new() { ["Input.Name"] = "bad name" });
        AssertSecurityHeaders(refused, "refused save", signedIn: true);
        using var anonymous = _app.CreateSession();
        AssertSecurityHeaders(await anonymous.GetAsync("/Account/SignIn"), "/Account/SignIn", signedIn: false);
        AssertSecurityHeaders(await anonymous.GetAsync("/Secrets", htmx: true), "expired htmx", signedIn: false);
        Assert.NotEqual(Guid.Empty, owner.Id);
    }

    [Fact]
    public async Task EveryCookie_IsHttpOnlyAndSameSiteStrict()
    {
        await _app.SetUpAsync();
        using var session = _app.CreateSession();
        var page = await session.GetPageAsync("/Account/SignIn");
        var response = await session.SubmitAsync(page.Form(), new() { ["Input.Email"] = "owner@acme.test", ["Input.Password"] = ZiggyAppFactory.Password });

        var cookies = _app.Responses.SelectMany(r => Regex.Matches(r, "^Set-Cookie: (.+)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value)).ToList();
        Assert.Contains(cookies, c => c.StartsWith("ziggy.auth=", StringComparison.Ordinal));
        Assert.All(cookies, c =>
        {
            Assert.Contains("httponly", c, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", c, StringComparison.OrdinalIgnoreCase);
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    [Fact]
    public async Task EveryCookie_OverHttps_IsHostPrefixedSecureHttpOnlyAndSameSiteStrict()
    {
        var owner = await _app.SetUpAsync();
        var member = await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia");
        using var session = _app.CreateSession("https://localhost");
        var signIn = await session.GetPageAsync("/Account/SignIn");
        Assert.Equal(HttpStatusCode.Redirect, (await session.SubmitAsync(signIn.Form(), new() { ["Input.Email"] = "owner@acme.test", ["Input.Password"] = ZiggyAppFactory.Password })).StatusCode);
        // The antiforgery token round-trips through its prefixed cookie: posts are accepted.
        var team = await session.GetPageAsync("/Team");
        Assert.Equal(HttpStatusCode.OK, (await session.SubmitAsync(team.Form("form.invite"), new() { ["Invite.Email"] = "new@acme.test", ["Invite.Role"] = "Member" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await session.SubmitAsync(team.Form($"form[action*='handler=Reset'][action*='{member.Id}']"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await session.GetAsync("/no-such-page")).StatusCode);
        var home = await session.GetPageAsync("/");
        Assert.Equal("/Account/SignIn", (await session.SubmitAsync(home.Form("form[action='/Account/SignOut']"))).Headers.Location?.OriginalString);

        var cookies = _app.Responses.SelectMany(r => Regex.Matches(r, "^Set-Cookie: (.+)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value)).ToList();
        Assert.Contains(cookies, c => c.StartsWith("__Host-ziggy.auth=", StringComparison.Ordinal));
        Assert.Contains(cookies, c => c.StartsWith("__Host-ziggy.af=", StringComparison.Ordinal));
        Assert.Contains(cookies, c => c.StartsWith("__Host-ziggy.auth=;", StringComparison.Ordinal)); // the sign-out
        Assert.All(cookies, c =>
        {
            Assert.StartsWith("__Host-", c);
            Assert.Contains("; secure", c, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("; httponly", c, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("; samesite=strict", c, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("; path=/", c + ";", StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("domain=", c, StringComparison.OrdinalIgnoreCase);
        });
    }

    [Fact]
    public async Task Cookies_OverHttps_PlainNamedOnesAreIgnored()
    {
        await _app.SetUpAsync();
        var cookie = await SignedInCookieAsync();

        // A valid session cookie under its plain name (as a sibling subdomain or a plain-HTTP page could plant it) is not
        // read over HTTPS; under the prefixed name it is.
        using var client = _app.CreateClient(new() { BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false, HandleCookies = false });
        using var planted = new HttpRequestMessage(HttpMethod.Get, "/Secrets");
        planted.Headers.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.Redirect, (await client.SendAsync(planted)).StatusCode);
        using var prefixed = new HttpRequestMessage(HttpMethod.Get, "/Secrets");
        prefixed.Headers.Add("Cookie", "__Host-" + cookie);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(prefixed)).StatusCode);
    }

    [Fact]
    public async Task SignIn_Again_IssuesANewSession()
    {
        await _app.SetUpAsync();
        using var session = _app.CreateSession();
        var cookies = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var page = await session.GetPageAsync("/Account/SignIn");
            var response = await session.SubmitAsync(page.Form(), new() { ["Input.Email"] = "owner@acme.test", ["Input.Password"] = ZiggyAppFactory.Password });
            cookies.Add(response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ziggy.auth=", StringComparison.Ordinal)).Split(';')[0]);
        }

        Assert.NotEqual(cookies[0], cookies[1]);
    }

    [Fact]
    public async Task SignIn_EleventhAttemptInAMinuteFromOneAddress_Is429WithAClearMessage()
    {
        var owner = await _app.SetUpAsync();
        // Different accounts, so the per-account lockout is not what stops them.
        for (var i = 0; i < 10; i++) await _app.AddUserAsync(owner.OrganizationId, $"u{i}@acme.test", Role.Member, $"User {i}");
        using var session = _app.CreateSession();
        var page = await session.GetPageAsync("/Account/SignIn");

        for (var i = 0; i < 10; i++)
        {
            var attempt = await session.SubmitAsync(page.Form(), new() { ["Input.Email"] = $"u{i}@acme.test", ["Input.Password"] = "wrong password!" });
            Assert.Equal(HttpStatusCode.OK, attempt.StatusCode);
        }

        var eleventh = await session.SubmitAsync(page.Form(), new() { ["Input.Email"] = "owner@acme.test", ["Input.Password"] = ZiggyAppFactory.Password });

        Assert.Equal(HttpStatusCode.TooManyRequests, eleventh.StatusCode);
        Assert.Contains(RateLimits.SignInMessage, await eleventh.Content.ReadAsStringAsync());
        Assert.Equal("60", eleventh.Headers.GetValues("Retry-After").Single());
        Assert.Equal(HttpStatusCode.Redirect, (await session.GetAsync("/Secrets")).StatusCode);
    }

    [Fact]
    public async Task DataProtectionKeys_AreEncryptedAndUselessWithoutTheMasterKey()
    {
        await _app.SetUpAsync();
        var cookie = await SignedInCookieAsync();

        var keyFiles = Directory.GetFiles(Path.Combine(_app.DataFolder, "keys"), "*.xml");
        Assert.NotEmpty(keyFiles);
        foreach (var file in keyFiles)
        {
            var xml = await File.ReadAllTextAsync(file);
            Assert.Contains("<encryptedKey", xml);
            Assert.Contains(typeof(Web.Crypto.MasterKeyXmlDecryptor).FullName!, xml);
            Assert.DoesNotContain("<masterKey", xml);
        }

        // Someone with a copy of the key folder but not the master key cannot read (or so mint) an auth cookie...
        var copy = Path.Combine(Path.GetTempPath(), "ziggy-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(copy);
        foreach (var file in keyFiles) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        var payload = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(cookie["ziggy.auth=".Length..]);
        var thief = CookieProtector(copy, protector: null);
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => thief.Unprotect(payload));

        // ...while the same files with the master key can (the control: the cookie really is protected by these keys).
        var masterKeyBytes = Convert.FromBase64String((await File.ReadAllTextAsync(Path.Combine(_app.DataFolder, "master.key"))).Trim());
        using var masterKey = Web.Crypto.MasterKey.FromBytes(masterKeyBytes);
        var owner = CookieProtector(copy, new Web.Crypto.DataProtectionKeyProtector(masterKey.DataProtectionKey));
        Assert.NotEmpty(owner.Unprotect(payload));
        Directory.Delete(copy, recursive: true);
    }

    /// <summary>The owner's sign-in cookie over plain HTTP, as "ziggy.auth=value".</summary>
    private async Task<string> SignedInCookieAsync()
    {
        using var session = _app.CreateSession();
        var page = await session.GetPageAsync("/Account/SignIn");
        var response = await session.SubmitAsync(page.Form(), new() { ["Input.Email"] = "owner@acme.test", ["Input.Password"] = ZiggyAppFactory.Password });
        return response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ziggy.auth=", StringComparison.Ordinal)).Split(';')[0];
    }

    private static Microsoft.AspNetCore.DataProtection.IDataProtector CookieProtector(string keyFolder, Web.Crypto.DataProtectionKeyProtector? protector)
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        if (protector is not null) Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton(services, protector);
        Microsoft.Extensions.DependencyInjection.DataProtectionServiceCollectionExtensions.AddDataProtection(services)
            .SetApplicationName("Ziggy.Secrets")
            .PersistKeysToFileSystem(new DirectoryInfo(keyFolder))
            .DisableAutomaticKeyGeneration();
        var provider = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);
        return Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<IDataProtectionProvider>(provider)
            .CreateProtector("Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware", "Identity.Application", "v2");
    }
}
