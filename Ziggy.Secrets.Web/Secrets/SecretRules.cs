using System.Text;
using System.Text.RegularExpressions;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Crypto;

namespace Ziggy.Secrets.Web.Secrets;

/// <summary>What makes a secret's name, description and values acceptable, with the message for each refusal.</summary>
public static partial class SecretRules
{
    public const int NameMaxLength = 128;
    public const int DescriptionMaxLength = 1000;
    public const int ValueMaxBytes = 64 * 1024;
    public const string DeleteConfirmation = "delete";

    [GeneratedRegex("^[A-Z][A-Z0-9_]*$")]
    private static partial Regex NamePattern();

    public static string DuplicateNameMessage(string name) => $"A secret named {name} already exists in this organization.";

    /// <summary>Names are upper-case; the form upper-cases as the user types and the server does the same.</summary>
    public static string NormalizeName(string? name) => (name ?? "").Trim().ToUpperInvariant();

    public static List<FieldError> Check(string name, string description, IEnumerable<(SecretEnvironment Environment, string Value)> newValues)
    {
        var errors = new List<FieldError>();
        if (name.Length == 0) errors.Add(new("Name", "Enter a name, for example STRIPE_API_KEY."));
        else if (name.Length > NameMaxLength) errors.Add(new("Name", $"The name can be at most {NameMaxLength} characters (it has {name.Length})."));
        else if (!NamePattern().IsMatch(name))
            errors.Add(new("Name", "Use capital letters, digits and underscores only, starting with a letter (for example STRIPE_API_KEY)."));

        if (description.Length > DescriptionMaxLength)
            errors.Add(new("Description", $"The description can be at most {DescriptionMaxLength:N0} characters (it has {description.Length:N0})."));

        foreach (var (environment, value) in newValues)
        {
            var bytes = Encoding.UTF8.GetByteCount(value);
            if (bytes > ValueMaxBytes)
                errors.Add(new(environment.ToString(), $"The {environment} value can be at most 64 KiB (it is {bytes:N0} bytes)."));
        }

        return errors;
    }
}
