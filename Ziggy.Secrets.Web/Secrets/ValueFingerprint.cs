using Ziggy.Secrets.Web.Crypto;

namespace Ziggy.Secrets.Web.Secrets;

/// <summary>How fingerprints are shown and compared. Equal fingerprints mean equal values; the short form is for people.</summary>
public static class ValueFingerprint
{
    /// <summary>The first 6 bytes as 12 hex digits in groups of four, e.g. <c>3f9a 1c07 be42</c>; null without a fingerprint.</summary>
    public static string? Short(byte[]? fingerprint)
    {
        if (fingerprint is null || fingerprint.Length < 6) return null;
        var hex = Convert.ToHexStringLower(fingerprint, 0, 6);
        return $"{hex[..4]} {hex[4..8]} {hex[8..]}";
    }

    /// <summary>
    /// "Staging and Production have the same value." for each group of two or more environments whose fingerprints are
    /// equal. Environments without a value or without a fingerprint yet are left out.
    /// </summary>
    public static IReadOnlyList<string> SameValueStatements(IReadOnlyDictionary<SecretEnvironment, byte[]?> fingerprints) =>
        fingerprints
            .Where(f => f.Value is not null)
            .GroupBy(f => Convert.ToHexString(f.Value!))
            .Where(g => g.Count() > 1)
            .Select(g => g.Select(f => f.Key).Order().ToList())
            .OrderBy(g => g[0])
            .Select(g => (g.Count == 2 ? $"{g[0]} and {g[1]}" : $"{string.Join(", ", g.Take(g.Count - 1))} and {g[^1]}") +
                         (g.Count == 2 ? " have the same value." : " all have the same value."))
            .ToList();
}
