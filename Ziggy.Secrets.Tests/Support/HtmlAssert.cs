using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace Ziggy.Secrets.Tests.Support;

public static class HtmlExtensions
{
    /// <summary>The page's one form that posts (the sign-out form in the header is skipped).</summary>
    public static IHtmlFormElement Form(this IHtmlDocument document, string? selector = null)
    {
        var forms = document.QuerySelectorAll<IHtmlFormElement>(selector ?? "main form").ToList();
        Assert.True(forms.Count >= 1, $"No form matches '{selector ?? "main form"}' in:\n{document.Body?.TextContent}");
        return forms[0];
    }

    /// <summary>The error shown next to a field (the field's wrapper holds input and message together).</summary>
    public static string FieldError(this IHtmlDocument document, string fieldName)
    {
        var input = document.QuerySelector($"[name='{fieldName}']") ?? throw new InvalidOperationException($"No field {fieldName}.");
        var wrapper = input.Closest(".field") ?? throw new InvalidOperationException($"Field {fieldName} has no .field wrapper.");
        return wrapper.QuerySelector(".field-error")?.TextContent.Trim() ?? "";
    }

    public static string FormError(this IHtmlDocument document) =>
        string.Join(" ", document.QuerySelectorAll(".alert-error").Select(e => e.TextContent.Trim()));

    public static string Text(this IHtmlDocument document) => document.Body?.TextContent ?? "";

    /// <summary>Every visible form control has a label tied to it (for/id, wrapping label, or aria-label).</summary>
    public static void AssertEveryFieldLabelled(this IHtmlDocument document)
    {
        foreach (var control in document.QuerySelectorAll("input:not([type=hidden]), select, textarea"))
        {
            var id = control.Id;
            var labelled = (id is not null && document.QuerySelector($"label[for='{id}']") is not null)
                           || control.Closest("label") is not null
                           || control.HasAttribute("aria-label");
            Assert.True(labelled, $"Control {control.OuterHtml} has no label.");
        }
    }
}
