namespace Ziggy.Secrets.Tests.Support;

/// <summary>
/// A test that needs Debian's Chromium. Without it the test is reported as skipped with the reason, unless
/// ZIGGY_REQUIRE_BROWSER=1 (CI), where it runs and fails loudly instead.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public BrowserFactAttribute()
    {
        var required = Environment.GetEnvironmentVariable("ZIGGY_REQUIRE_BROWSER") == "1";
        if (!File.Exists(ChromiumPath) && !required)
            Skip = $"Chromium not found at {ChromiumPath} (apt-get install chromium). Set ZIGGY_REQUIRE_BROWSER=1 to make this a failure.";
    }
}
