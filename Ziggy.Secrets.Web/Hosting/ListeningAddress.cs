namespace Ziggy.Secrets.Web.Hosting;

/// <summary>Where the web app listens: the same default for <c>dotnet run</c> and the single binary.</summary>
public static class ListeningAddress
{
    public const string Default = "http://localhost:5080";

    /// <summary>
    /// The host arguments: ZIGGY_URLS wins over ASPNETCORE_URLS, an explicit --urls argument wins over both; with none of
    /// the ways ASP.NET Core reads an address, <see cref="Default"/> (Kestrel's own default would be port 5000).
    /// </summary>
    public static string[] HostArgs(string[] args, Func<string, string?> environment)
    {
        var urls = environment("ZIGGY_URLS");
        if (!string.IsNullOrWhiteSpace(urls)) return ["--urls", urls, .. args];
        return GivenElsewhere(args, environment) ? args : ["--urls", Default, .. args];
    }

    private static bool GivenElsewhere(string[] args, Func<string, string?> environment) =>
        args.Any(a => a.Equals("--urls", StringComparison.OrdinalIgnoreCase) || a.StartsWith("--urls=", StringComparison.OrdinalIgnoreCase))
        || new[] { "ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_HTTP_PORTS", "DOTNET_HTTPS_PORTS", "HTTP_PORTS", "HTTPS_PORTS" }
            .Any(name => !string.IsNullOrWhiteSpace(environment(name)));
}
