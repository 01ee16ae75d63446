using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Imports;
using Ziggy.Secrets.Web.Pages.Shared;

namespace Ziggy.Secrets.Web.Pages.Secrets;

/// <summary>
/// The import dialog: Preview, then Apply of the selected rows. The text is posted with both; no answer repeats it or
/// any value (rows show masks), so the browser's own field is the only place the text lives between the two.
/// </summary>
public sealed class ImportModel(ImportService imports) : PageModel
{
    public static readonly IReadOnlyList<string> FieldNames = ["Text", "Environment", "Format"];

    [BindProperty]
    public ImportForm Input { get; set; } = new();

    public ImportPreview? Preview { get; private set; }

    public ImportOutcome? Outcome { get; private set; }

    private CurrentUser Me => CurrentUser.Required(User);

    public IActionResult OnGet()
    {
        if (!Request.IsHtmx()) return Page();
        Response.Headers.Vary = "HX-Request";
        return Partial("_ImportDialog", this);
    }

    public async Task<IActionResult> OnPostPreviewAsync()
    {
        if (!ModelState.IsValid) return Refused(BindingErrors());
        var result = await imports.PreviewAsync(Me, Input.Text, Input.Format, Input.Environment);
        if (!result.IsOk) return Refused(result.Errors);
        Preview = result.Value;
        if (!Request.IsHtmx()) return Page();
        return WithClearedErrors("_ImportPreview", Preview!);
    }

    public async Task<IActionResult> OnPostApplyAsync()
    {
        if (!ModelState.IsValid) return Refused(BindingErrors());
        var result = await imports.ApplyAsync(Me, Input.Text, Input.Format, Input.Environment, Input.Token,
            new ImportSelection(Input.Selected, Input.Accept));
        if (!result.IsOk) return Refused(result.Errors);
        Outcome = result.Value;
        var written = Outcome!.Created.Count + Outcome.Updated.Count;
        this.Toast($"Imported {written} {(written == 1 ? "secret" : "secrets")} into {Outcome.Environment}: {Outcome.Created.Count} created, {Outcome.Updated.Count} updated.");
        if (!Request.IsHtmx()) return Page();
        Response.Htmx(h => h.WithTrigger("secrets-imported"));
        return WithClearedErrors("_ImportOutcome", Outcome!);
    }

    /// <summary>Our own message per field: the framework's would repeat what was posted.</summary>
    private List<FieldError> BindingErrors()
    {
        var fields = ModelState.Where(e => e.Value?.Errors.Count > 0).Select(e => e.Key).ToList();
        var errors = new List<FieldError>();
        if (fields.Contains("Input.Environment")) errors.Add(new("Environment", "Choose Development, Staging or Production."));
        if (fields.Contains("Input.Format")) errors.Add(new("Format", "Choose Automatic, dotenv or JSON."));
        if (errors.Count == 0) errors.Add(new("", "The import form is not complete. Reload the page and try again."));
        return errors;
    }

    private IActionResult WithClearedErrors(string partial, object model)
    {
        ViewData["ClearErrors"] = new FieldErrorsView(FieldNames, [], AlertId: "import-alert", Prefix: "");
        return Partial(partial, model);
    }

    /// <summary>Messages next to their fields; htmx leaves the form (and its text) as it is.</summary>
    private IActionResult Refused(IReadOnlyList<FieldError> errors)
    {
        if (!Request.IsHtmx())
        {
            ModelState.AddErrors(errors);
            return Page();
        }

        Response.Htmx(h => h.Reswap("none"));
        return Partial("_FieldErrors", new FieldErrorsView(FieldNames, errors, AlertId: "import-alert", Prefix: ""));
    }
}

/// <summary>What the import dialog posts. <see cref="Selected"/>: the names to write; <see cref="Accept"/>: invalid names whose suggested fix is taken.</summary>
public sealed class ImportForm
{
    public string? Text { get; set; }

    public SecretEnvironment Environment { get; set; } = SecretEnvironment.Development;

    public ImportFormat Format { get; set; } = ImportFormat.Auto;

    public string? Token { get; set; }

    public List<string> Selected { get; set; } = [];

    public List<string> Accept { get; set; } = [];
}
