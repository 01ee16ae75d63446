using System.Globalization;
using Microsoft.AspNetCore.Identity;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>
/// Identity's authenticator codes (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits, accepted up to two steps either side
/// of now), each accepted only once, as RFC 6238 (5.2) requires: a code read over a shoulder or out of a log cannot be
/// used again while it is still fresh.
/// </summary>
public sealed class OnceOnlyAuthenticatorTokenProvider(TimeProvider clock) : AuthenticatorTokenProvider<ApplicationUser>
{
    /// <summary>The login provider under which the app keeps its own rows in Identity's user tokens.</summary>
    public const string LoginProvider = "[Ziggy]";

    private const string LastCodeName = "LastAuthenticatorCode";

    // A code is fresh for at most five 30-second steps; remembering the last one for longer than that is enough.
    private static readonly TimeSpan Remembered = TimeSpan.FromMinutes(5);

    public override async Task<bool> ValidateAsync(string purpose, string token, UserManager<ApplicationUser> manager, ApplicationUser user)
    {
        if (!await base.ValidateAsync(purpose, token, manager, user)) return false;

        // Identity parses the code as a number, so "012345", " 12345" and "+12345" are one code: compare numbers.
        var code = int.Parse(token, NumberStyles.Integer, CultureInfo.InvariantCulture);
        var now = clock.GetUtcNow();
        var last = (await manager.GetAuthenticationTokenAsync(user, LoginProvider, LastCodeName))?.Split('|');
        if (last is [var lastCode, var lastAt]
            && lastCode == code.ToString(CultureInfo.InvariantCulture)
            && long.TryParse(lastAt, CultureInfo.InvariantCulture, out var seconds)
            && now - DateTimeOffset.FromUnixTimeSeconds(seconds) < Remembered)
            return false;

        // Saved against the user's concurrency stamp: of two requests racing with the same code, only one gets through.
        var spent = await manager.SetAuthenticationTokenAsync(user, LoginProvider, LastCodeName,
            string.Create(CultureInfo.InvariantCulture, $"{code}|{now.ToUnixTimeSeconds()}"));
        return spent.Succeeded;
    }
}
