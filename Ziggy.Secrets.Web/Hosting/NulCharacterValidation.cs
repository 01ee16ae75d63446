using Microsoft.AspNetCore.Mvc.ModelBinding.Validation;

namespace Ziggy.Secrets.Web.Hosting;

/// <summary>
/// No text the app accepts may hold a NUL character (it ends strings in C code and logs, and no one types it). Every
/// bound string gets this message next to its own field; a NUL in a value bound to a number, a date or a choice gets it
/// through <see cref="FriendlyBindingMessages"/>. Registered first, so it is the message shown for that field.
/// </summary>
public sealed class NulCharacterValidation : IModelValidatorProvider
{
    public const string Message = "Values cannot contain the NUL character.";

    public static bool IsIn(string? value) => value?.Contains('\0') == true;

    public void CreateValidators(ModelValidatorProviderContext context)
    {
        if (context.ModelMetadata.ModelType == typeof(string)) context.Results.Insert(0, new ValidatorItem { Validator = NoNul.Instance, IsReusable = true });
    }

    private sealed class NoNul : IModelValidator
    {
        public static readonly NoNul Instance = new();

        public IEnumerable<ModelValidationResult> Validate(ModelValidationContext context) =>
            context.Model is string value && IsIn(value) ? [new ModelValidationResult("", Message)] : [];
    }
}
