using Ziggy.Secrets.Web.Common;

namespace Ziggy.Secrets.Web.Pages.Shared;

/// <summary>
/// Errors placed by htmx out-of-band next to each field of a form that stays as the user left it. Every listed field's
/// message slot is replaced (emptied when it has no error) so messages from an earlier attempt disappear.
/// </summary>
public sealed record FieldErrorsView(IReadOnlyList<string> Fields, IReadOnlyList<FieldError> Errors, string AlertId, string Prefix = "Input")
{
    public string MessageFor(string field) => string.Join(" ", Errors.Where(e => e.Field == field).Select(e => e.Message));

    public IEnumerable<string> FormMessages => Errors.Where(e => e.Field.Length == 0 || !Fields.Contains(e.Field)).Select(e => e.Message);

    public string SlotId(string field) => field == "NewOwnerId" || Prefix.Length == 0 ? $"{field}-error" : $"{Prefix}_{field}-error";
}
