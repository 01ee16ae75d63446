namespace Ziggy.Secrets.Web.Integrations;

public sealed class IntegrationOptions
{
    public const string Section = "Ziggy:Integrations";

    /// <summary>Loopback and private ranges are refused unless this is true (tests use it to reach a local stub).</summary>
    public bool AllowPrivateNetworks { get; set; }

    public int TimeoutSeconds { get; set; } = 30;

    public int MaxResponseBytes { get; set; } = 1024 * 1024;

    public int MaxRedirects { get; set; } = 5;
}
