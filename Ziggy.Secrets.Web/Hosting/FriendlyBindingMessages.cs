using Microsoft.AspNetCore.Mvc.ModelBinding.Metadata;

namespace Ziggy.Secrets.Web.Hosting;

/// <summary>
/// Model binding errors in words a user understands, never framework jargon or a 500. They never repeat what was
/// typed: the input may be a secret.
/// </summary>
public static class FriendlyBindingMessages
{
    public static void Apply(DefaultModelBindingMessageProvider messages)
    {
        messages.SetAttemptedValueIsInvalidAccessor((value, field) => NulCharacterValidation.IsIn(value) ? NulCharacterValidation.Message : $"The value entered is not a valid {field}.");
        messages.SetValueIsInvalidAccessor(value => NulCharacterValidation.IsIn(value) ? NulCharacterValidation.Message : "The value entered is not valid here.");
        messages.SetValueMustNotBeNullAccessor(field => $"{field} is required.");
        messages.SetMissingBindRequiredValueAccessor(field => $"{field} is required.");
        messages.SetMissingKeyOrValueAccessor(() => "A value is required.");
        messages.SetMissingRequestBodyRequiredValueAccessor(() => "The form was empty.");
        messages.SetNonPropertyAttemptedValueIsInvalidAccessor(value => NulCharacterValidation.IsIn(value) ? NulCharacterValidation.Message : "The value entered is not valid here.");
        messages.SetNonPropertyUnknownValueIsInvalidAccessor(() => "The value is not valid.");
        messages.SetNonPropertyValueMustBeANumberAccessor(() => "Enter a number.");
        messages.SetUnknownValueIsInvalidAccessor(field => $"The value for {field} is not valid.");
        messages.SetValueMustBeANumberAccessor(field => $"{field} must be a number.");
    }
}
