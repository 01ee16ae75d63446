using System.Text.Json;
using System.Text.Json.Nodes;
using Htmx;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace Ziggy.Secrets.Web.Pages.Shared;

public enum ToastKind
{
    Success,
    Error,
}

/// <summary>One confirmation or error shown in the page's toast region.</summary>
public sealed record Toast(string Message, ToastKind Kind);

/// <summary>
/// The page's toast region (the layout's <c>aria-live</c> region). A handler says what happened with
/// <see cref="Say"/>: an htmx request gets it in its <c>HX-Trigger</c> header as the <c>ziggy-toast</c> event (merged with
/// any other trigger of the answer), a plain request in TempData, which the layout shows on the page it renders next
/// (the same one, or the one a redirect leads to). Messages are text: never a secret's value.
/// </summary>
public static class Toasts
{
    public const string EventName = "ziggy-toast";
    private const string TempDataKey = "ziggy-toasts";
    private static readonly object PendingKey = new();

    /// <summary>The most toasts kept for the next page of a plain request.</summary>
    public const int MaxWaiting = 5;

    public static void Say(HttpContext context, string message, ToastKind kind = ToastKind.Success)
    {
        var toast = new Toast(message, kind);
        if (context.Request.IsHtmx())
        {
            if (context.Items[PendingKey] is not List<Toast> pending)
            {
                pending = [];
                context.Items[PendingKey] = pending;
                context.Response.OnStarting(() =>
                {
                    WriteTrigger(context.Response, pending);
                    return Task.CompletedTask;
                });
            }

            pending.Add(toast);
            return;
        }

        var tempData = context.RequestServices.GetRequiredService<ITempDataDictionaryFactory>().GetTempData(context);
        var saved = tempData.Peek(TempDataKey) is string json ? JsonSerializer.Deserialize<List<Toast>>(json) ?? [] : [];
        saved.Add(toast);
        // A client that posts without ever opening a page (a script) never takes them: keep the newest few, so the
        // TempData cookie stays small.
        if (saved.Count > MaxWaiting) saved.RemoveRange(0, saved.Count - MaxWaiting);
        tempData[TempDataKey] = JsonSerializer.Serialize(saved);
    }

    /// <summary>The toasts waiting for the page being rendered (read once: a reload does not show them again).</summary>
    public static IReadOnlyList<Toast> Take(HttpContext context)
    {
        var tempData = context.RequestServices.GetRequiredService<ITempDataDictionaryFactory>().GetTempData(context);
        try
        {
            return tempData[TempDataKey] is string json ? JsonSerializer.Deserialize<List<Toast>>(json) ?? [] : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static void WriteTrigger(HttpResponse response, List<Toast> toasts)
    {
        // HX-Trigger is either a JSON object (event → detail) or a comma-separated list of event names.
        var existing = response.Headers["HX-Trigger"].ToString();
        JsonObject triggers;
        if (existing.TrimStart().StartsWith('{')) triggers = JsonNode.Parse(existing) as JsonObject ?? [];
        else
        {
            triggers = [];
            foreach (var name in existing.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) triggers[name] = null;
        }

        var items = new JsonArray();
        foreach (var toast in toasts) items.Add(new JsonObject { ["message"] = toast.Message, ["kind"] = toast.Kind.ToString().ToLowerInvariant() });
        // An object detail reaches listeners as the event's detail; the default encoder keeps the header ASCII.
        triggers[EventName] = new JsonObject { ["items"] = items };
        response.Headers["HX-Trigger"] = triggers.ToJsonString();
    }
}

public static class ToastPageExtensions
{
    /// <summary>Shows <paramref name="message"/> in the page's toast region (see <see cref="Toasts"/>).</summary>
    public static void Toast(this Microsoft.AspNetCore.Mvc.RazorPages.PageModel page, string message, ToastKind kind = ToastKind.Success) =>
        Toasts.Say(page.HttpContext, message, kind);
}
