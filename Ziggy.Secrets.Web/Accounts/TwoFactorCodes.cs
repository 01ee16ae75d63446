namespace Ziggy.Secrets.Web.Accounts;

/// <summary>How people type the codes of two-factor sign-in, made into what Identity compares.</summary>
public static class TwoFactorCodes
{
    public const int CodeLength = 6;

    /// <summary>An authenticator code without the spaces or dashes some apps show in it ("123 456").</summary>
    public static string NormalizeCode(string? code) =>
        new((code ?? "").Where(c => !char.IsWhiteSpace(c) && c != '-').ToArray());

    /// <summary>
    /// A recovery code as Identity makes them ("ABCDE-FGH23"): case, spaces and the dash do not matter to the person
    /// typing one in.
    /// </summary>
    public static string NormalizeRecoveryCode(string? code)
    {
        var plain = new string((code ?? "").Where(c => !char.IsWhiteSpace(c) && c != '-').ToArray()).ToUpperInvariant();
        return plain.Length == 10 ? $"{plain[..5]}-{plain[5..]}" : plain;
    }

    /// <summary>An authenticator key as people copy it by hand: in groups of four.</summary>
    public static string Grouped(string key) =>
        string.Join(' ', key.Chunk(4).Select(chunk => new string(chunk)));
}
