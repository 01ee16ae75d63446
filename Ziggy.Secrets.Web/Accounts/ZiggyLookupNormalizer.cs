using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>
/// Identity's normalizer (Unicode normalization, then upper case), except that text Unicode cannot normalize
/// (noncharacters such as U+FFFE, unpaired surrogates) is upper-cased as it is instead of throwing: a sign-in or a
/// look-up with such an address then matches nobody instead of answering 500.
/// </summary>
public sealed class ZiggyLookupNormalizer : ILookupNormalizer
{
    public string? NormalizeName(string? name) => Normalize(name);

    public string? NormalizeEmail(string? email) => Normalize(email);

    public static bool CanNormalize(string text) => TryNormalize(text) is not null;

    private static string? Normalize(string? text) => text is null ? null : (TryNormalize(text) ?? text).ToUpperInvariant();

    /// <summary>The text in Unicode's normal form C; null when Unicode cannot normalize it.</summary>
    private static string? TryNormalize(string text)
    {
        try
        {
            return text.Normalize();
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}

/// <summary>Refuses text Unicode cannot normalize; beside [EmailAddress], whose check is only the shape around the @.</summary>
public sealed class NormalizableAttribute : ValidationAttribute
{
    public override bool IsValid(object? value) => value is not string text || ZiggyLookupNormalizer.CanNormalize(text);
}
