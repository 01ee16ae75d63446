using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace Ziggy.Secrets.Web.Hosting;

/// <summary>
/// <c>&lt;field for="Input.Email" type="email" /&gt;</c>: a visible label tied to its input and the field's error
/// right next to it, the same way on every form. Password inputs never echo a value back.
/// </summary>
[HtmlTargetElement("field", TagStructure = TagStructure.WithoutEndTag)]
public sealed class FieldTagHelper(IHtmlGenerator generator) : TagHelper
{
    [HtmlAttributeName("for")]
    public required ModelExpression For { get; set; }

    /// <summary>An input type (text, email, password) or "textarea".</summary>
    [HtmlAttributeName("type")]
    public string Type { get; set; } = "text";

    [HtmlAttributeName("label")]
    public string? Label { get; set; }

    [HtmlAttributeName("autocomplete")]
    public string? Autocomplete { get; set; }

    [HtmlAttributeName("placeholder")]
    public string? Placeholder { get; set; }

    [HtmlAttributeName("hint")]
    public string? Hint { get; set; }

    [HtmlAttributeName("disabled")]
    public bool Disabled { get; set; }

    [ViewContext]
    [HtmlAttributeNotBound]
    public required ViewContext ViewContext { get; set; }

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        var id = TagBuilder.CreateSanitizedId(For.Name, "_");
        var hasError = ViewContext.ViewData.ModelState.TryGetValue(For.Name, out var entry) && entry.Errors.Count > 0;
        var attributes = new Dictionary<string, object?>
        {
            ["class"] = "input",
            ["aria-describedby"] = $"{id}-error" + (Hint is null ? "" : $" {id}-hint"),
        };
        if (Type != "textarea") attributes["type"] = Type;
        if (Autocomplete is not null) attributes["autocomplete"] = Autocomplete;
        if (Placeholder is not null) attributes["placeholder"] = Placeholder;
        if (hasError) attributes["aria-invalid"] = "true";
        if (Disabled) attributes["disabled"] = "disabled";

        var input = Type switch
        {
            "password" => generator.GeneratePassword(ViewContext, For.ModelExplorer, For.Name, value: null, attributes),
            "textarea" => generator.GenerateTextArea(ViewContext, For.ModelExplorer, For.Name, rows: 3, columns: 0, attributes),
            _ => generator.GenerateTextBox(ViewContext, For.ModelExplorer, For.Name, For.Model, format: null, attributes),
        };
        var label = generator.GenerateLabel(ViewContext, For.ModelExplorer, For.Name, Label, htmlAttributes: null);
        var error = generator.GenerateValidationMessage(ViewContext, For.ModelExplorer, For.Name, message: null, tag: "span",
            htmlAttributes: new Dictionary<string, object> { ["class"] = "field-error", ["id"] = $"{id}-error" });

        output.TagName = "div";
        output.TagMode = TagMode.StartTagAndEndTag;
        output.Attributes.SetAttribute("class", hasError ? "field has-error" : "field");
        output.Content.AppendHtml(label);
        if (Hint is not null) output.Content.AppendHtml($"<span class=\"hint\" id=\"{id}-hint\">{System.Net.WebUtility.HtmlEncode(Hint)}</span>");
        output.Content.AppendHtml(input);
        output.Content.AppendHtml(error);
    }
}
