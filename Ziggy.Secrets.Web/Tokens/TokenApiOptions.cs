namespace Ziggy.Secrets.Web.Tokens;

/// <summary>Settings of the machine API (<c>Ziggy:Api</c>).</summary>
public sealed class TokenApiOptions
{
    public const string Section = "Ziggy:Api";

    /// <summary>Requests one token may make in a minute; then 429 with Retry-After.</summary>
    public int RequestsPerMinute { get; set; } = 600;
}
