using System.ComponentModel.DataAnnotations;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Integrations;
using Ziggy.Secrets.Web.Pages.Shared;

namespace Ziggy.Secrets.Web.Pages.Integrations;

public sealed class EditModel(IntegrationService integrations) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid? Id { get; set; }

    [BindProperty]
    public IntegrationForm Input { get; set; } = new();

    public IntegrationDetails? Integration { get; private set; }

    public IReadOnlyList<ReferenceStatus> References { get; private set; } = [];

    public RunView? LastRun { get; private set; }

    /// <summary>The run panel's history, newest first.</summary>
    public IReadOnlyList<RunSummary> Runs { get; private set; } = [];

    public bool CanModify => Integration is null || Integration.CanModify;

    private CurrentUser Me => CurrentUser.Required(User);

    public async Task<IActionResult> OnGetAsync()
    {
        if (Id is null) return Page();
        if (!await LoadAsync(Id.Value)) return NotFound();
        Input = IntegrationForm.From(Integration!);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync()
    {
        if (ModelState.IsValid)
        {
            var result = await integrations.SaveAsync(Me, Id, Input.Version, Input.ToDraft());
            if (result.Outcome == Outcome.NotFound) return NotFound();
            if (result.IsOk)
            {
                this.Toast($"Integration {result.Value!.Name} {(Id is null ? "created" : "saved")}.");
                return RedirectToPage(null, new { id = result.Value!.Id });
            }
            ModelState.AddErrors(result.Errors);
        }

        if (Id is not null && !await LoadAsync(Id.Value)) return NotFound();
        References = await integrations.ReferencesAsync(Me, SecretTemplate.References(Input.Url, Input.Headers, Input.Body));
        return Page();
    }

    /// <summary>The live list under the template: which secrets it references and whether each exists and has values.</summary>
    public async Task<IActionResult> OnPostReferencesAsync()
    {
        References = await integrations.ReferencesAsync(Me, SecretTemplate.References(Input.Url, Input.Headers, Input.Body));
        return Partial("_References", References);
    }

    public async Task<IActionResult> OnPostRunAsync(SecretEnvironment? environment)
    {
        if (Id is null) return NotFound();
        if (environment is null)
        {
            ModelState.AddModelError("environment", "Choose the environment to run in.");
            return await RunPanelAsync();
        }

        var result = await integrations.RunAsync(Me, Id.Value, environment.Value);
        if (!result.IsOk) return NotFound();
        (LastRun, Runs) = (result.Value!.Run, result.Value.History);
        // The outcome only: the answer and any failure detail stay in the run panel, masked.
        var run = LastRun!.Summary;
        if (run.Succeeded) this.Toast($"Run in {run.Environment}: HTTP {run.StatusCode} in {run.DurationMs} ms.");
        else this.Toast($"Run in {run.Environment} failed. The reason is in the run history.", ToastKind.Error);
        return await RunPanelAsync();
    }

    /// <summary>One run's response, loaded when its history row is opened (hidden from those who may not change every secret it decrypted).</summary>
    public async Task<IActionResult> OnGetRunResponseAsync(Guid runId)
    {
        if (Id is null) return NotFound();
        var found = await integrations.RunResponseAsync(Me, Id.Value, runId);
        return found.IsOk ? Partial("_RunResponse", found.Value) : NotFound();
    }

    public async Task<IActionResult> OnPostDeleteAsync()
    {
        if (Id is null) return NotFound();
        var name = (await integrations.GetAsync(Me, Id.Value)).Value?.Name;
        var result = await integrations.DeleteAsync(Me, Id.Value);
        if (!result.IsOk) return NotFound();
        this.Toast($"Integration {name} deleted.");
        return RedirectToPage("/Integrations/Index");
    }

    /// <summary>htmx gets the run panel (this run's result and the history); a plain post gets the whole page.</summary>
    private async Task<IActionResult> RunPanelAsync()
    {
        // After a run the panel's history was read with it; otherwise (no environment chosen, a plain post) it is read here.
        if (LastRun is not null && Request.IsHtmx()) return Partial("_RunPanel", this);
        if (!await LoadAsync(Id!.Value)) return NotFound();
        if (Request.IsHtmx()) return Partial("_RunPanel", this);
        Input = IntegrationForm.From(Integration!);
        return Page();
    }

    private async Task<bool> LoadAsync(Guid id)
    {
        var found = await integrations.GetAsync(Me, id);
        Integration = found.Value;
        References = Integration?.References ?? [];
        Runs = Integration?.Runs ?? [];
        return found.IsOk;
    }
}

public sealed class IntegrationForm
{
    [Display(Name = "Name")]
    public string? Name { get; set; }

    [Display(Name = "Method")]
    public string? Method { get; set; } = "GET";

    [Display(Name = "URL")]
    public string? Url { get; set; }

    [Display(Name = "Headers")]
    public string? Headers { get; set; }

    [Display(Name = "Body")]
    public string? Body { get; set; }

    public int? Version { get; set; }

    public IntegrationDraft ToDraft() => new(Name ?? "", Method ?? "", Url ?? "", Headers ?? "", Body ?? "");

    public static IntegrationForm From(IntegrationDetails details) => new()
    {
        Name = details.Name, Method = details.Method, Url = details.Url, Headers = details.Headers, Body = details.Body, Version = details.Version,
    };
}
