using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Ziggy.Secrets.Web.Common;

public static class ModelStateExtensions
{
    /// <summary>Copies domain errors next to the fields they belong to (fields live under <paramref name="prefix"/>).</summary>
    public static void AddErrors(this ModelStateDictionary modelState, IEnumerable<FieldError> errors, string prefix = "Input")
    {
        foreach (var error in errors)
        {
            var key = error.Field.Length == 0 ? "" : $"{prefix}.{error.Field}";
            modelState.AddModelError(key, error.Message);
        }
    }
}
