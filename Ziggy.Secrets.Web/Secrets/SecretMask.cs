using System.Globalization;

namespace Ziggy.Secrets.Web.Secrets;

/// <summary>
/// The partial mask shown instead of a value, e.g. <c>sk_live_***RgA1</c>. With L characters: under 8 shows only
/// <c>***</c>; otherwise the first min(8, L/4) characters, <c>***</c>, and the last min(4, L/8). Characters are
/// user-perceived characters (text elements), so a mask never splits an emoji or a combining sequence.
/// </summary>
public static class SecretMask
{
    public const string Hidden = "***";

    public static string For(string value)
    {
        var info = new StringInfo(value);
        var length = info.LengthInTextElements;
        if (length < 8) return Hidden;

        var head = Math.Min(8, length / 4);
        var tail = Math.Min(4, length / 8);
        return info.SubstringByTextElements(0, head) + Hidden + info.SubstringByTextElements(length - tail, tail);
    }
}
