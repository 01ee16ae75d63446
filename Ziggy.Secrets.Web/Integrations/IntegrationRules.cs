using Ziggy.Secrets.Web.Common;

namespace Ziggy.Secrets.Web.Integrations;

public sealed record IntegrationDraft(string Name, string Method, string Url, string Headers, string Body);

/// <summary>What makes a request template acceptable, with the message for each refusal.</summary>
public static class IntegrationRules
{
    public const int NameMaxLength = 100;
    public const int UrlMaxLength = 2000;
    public const int HeadersMaxLength = 16 * 1024;
    public const int BodyMaxLength = 64 * 1024;

    public static readonly IReadOnlyList<string> Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];

    public static List<FieldError> Check(IntegrationDraft draft)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(draft.Name)) errors.Add(new("Name", "Enter a name for the integration."));
        else if (draft.Name.Trim().Length > NameMaxLength) errors.Add(new("Name", $"The name can be at most {NameMaxLength} characters."));

        if (!Methods.Contains(draft.Method)) errors.Add(new("Method", "Choose one of GET, POST, PUT, PATCH, DELETE or HEAD."));

        if (draft.Url.Trim().Length == 0) errors.Add(new("Url", "Enter the URL to call, for example https://api.example.com/v1/charges."));
        else if (draft.Url.Length > UrlMaxLength) errors.Add(new("Url", $"The URL can be at most {UrlMaxLength:N0} characters."));
        else if (!SecretTemplate.CanBeHttpUrl(draft.Url.Trim()))
            errors.Add(new("Url", "Enter an absolute http:// or https:// URL (a secret may hold all of it, or its base, host or port)."));

        if (draft.Headers.Length > HeadersMaxLength) errors.Add(new("Headers", "The headers can be at most 16 KiB."));
        else if (HeaderLines(draft.Headers).Where(l => l.Name is null).Select(l => (int?)l.Line).FirstOrDefault() is { } badLine)
            errors.Add(new("Headers", $"Line {badLine} is not a header: write one \"Name: value\" per line."));

        if (draft.Body.Length > BodyMaxLength) errors.Add(new("Body", "The body can be at most 64 KiB."));
        return errors;
    }

    /// <summary>"Name: value" lines; blank lines are skipped. A line without a valid header name has a null Name.</summary>
    public static IEnumerable<(int Line, string? Name, string Value)> HeaderLines(string headers)
    {
        var lines = headers.Replace("\r\n", "\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0) continue;
            var colon = line.IndexOf(':');
            var name = colon > 0 ? line[..colon].Trim() : "";
            var valid = name.Length > 0 && name.All(c => c > 32 && c < 127 && !"()<>@,;:\\\"/[]?={}".Contains(c));
            yield return (i + 1, valid ? name : null, colon > 0 ? line[(colon + 1)..].Trim() : "");
        }
    }
}
