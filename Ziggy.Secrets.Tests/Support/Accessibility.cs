using System.Text.Json;
using Microsoft.Playwright;

namespace Ziggy.Secrets.Tests.Support;

/// <summary>
/// axe-core (the npm package the build installs) run inside a page under test. The script is evaluated through the
/// browser's debugging protocol, so the app never serves it and its Content-Security-Policy stays as shipped.
/// </summary>
public static class Accessibility
{
    private static readonly Lazy<string> AxeSource = new(() => File.ReadAllText(FindAxe()));

    /// <summary>Fails with every serious or critical axe violation of the page as it is now (rules of WCAG 2.x A/AA and best practice).</summary>
    public static async Task AssertNoSeriousViolationsAsync(IPage page, string state)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'")) await page.EvaluateAsync(AxeSource.Value);
        var violations = await page.EvaluateAsync<JsonElement>("""
            async () => {
              const result = await window.axe.run(document, { resultTypes: ['violations'] });
              return result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => `${v.impact} ${v.id}: ${v.help} -> ${v.nodes.slice(0, 5).map(n => n.target.join(' ')).join(' | ')}`);
            }
            """);
        var found = violations.EnumerateArray().Select(v => v.GetString()).ToList();
        Assert.True(found.Count == 0, $"axe, {state} ({page.Url}):\n" + string.Join("\n", found));
    }

    private static string FindAxe()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "node_modules", "axe-core", "axe.min.js");
            if (File.Exists(candidate)) return candidate;
        }

        throw new FileNotFoundException("axe-core is missing from node_modules: run `npm ci` at the repository root (the build does it).");
    }
}
