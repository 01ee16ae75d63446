using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Ziggy.Secrets.Web.Common;

public static class ModelStateExtensions
{
    /// <summary>Copies domain errors next to the fields they belong to (fields live under <paramref name="prefix"/>), each once.</summary>
    public static void AddErrors(this ModelStateDictionary modelState, IEnumerable<FieldError> errors, string prefix = "Input")
    {
        foreach (var error in errors)
        {
            var key = error.Field.Length == 0 ? "" : $"{prefix}.{error.Field}";
            if (modelState.TryGetValue(key, out var entry) && entry.Errors.Any(e => e.ErrorMessage == error.Message)) continue;
            modelState.AddModelError(key, error.Message);
        }
    }

    /// <summary>Model binding's and validation's errors as domain errors (fields under <paramref name="prefix"/> lose it), for a form refused before the domain is asked.</summary>
    public static IReadOnlyList<FieldError> FieldErrors(this ModelStateDictionary modelState, string prefix = "Input") =>
        modelState.Where(entry => entry.Value?.Errors.Count > 0)
            .SelectMany(entry => entry.Value!.Errors.Select(error => new FieldError(
                entry.Key.StartsWith(prefix + ".", StringComparison.Ordinal) ? entry.Key[(prefix.Length + 1)..] : entry.Key,
                error.ErrorMessage)))
            .ToList();
}
