using Microsoft.AspNetCore.Identity;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>Identity's errors in words a user understands. The email is the user name, so both say "email".</summary>
public sealed class ZiggyIdentityErrors : IdentityErrorDescriber
{
    public const string PasswordTooShortMessage = "Passwords must be at least 12 characters.";
    public const string DuplicateEmailMessage = "An account with this email already exists.";

    public override IdentityError PasswordTooShort(int length) =>
        new() { Code = nameof(PasswordTooShort), Description = PasswordTooShortMessage };

    public override IdentityError DuplicateEmail(string email) =>
        new() { Code = nameof(DuplicateEmail), Description = DuplicateEmailMessage };

    public override IdentityError DuplicateUserName(string userName) =>
        new() { Code = nameof(DuplicateEmail), Description = DuplicateEmailMessage };

    public override IdentityError InvalidEmail(string? email) =>
        new() { Code = nameof(InvalidEmail), Description = "Enter a valid email address." };

    public override IdentityError InvalidUserName(string? userName) =>
        new() { Code = nameof(InvalidEmail), Description = "Enter a valid email address." };

    /// <summary>The input field an Identity error belongs next to.</summary>
    public static string FieldOf(IdentityError error) =>
        error.Code.StartsWith("Password", StringComparison.Ordinal) ? "Password" : "Email";
}
