namespace Ziggy.Secrets.Web.Pages.Shared;

/// <summary>
/// A section whose content is read from <see cref="Url"/> only when it is opened (<c>_LoadOnOpen</c>), for what would
/// weigh on every page that carries it; without JavaScript, a link to the same content.
/// </summary>
public sealed record LoadOnOpenView(string Url, string TestId, string Summary, string LinkText, string? CssClass = null);
