using System.Text.RegularExpressions;
using Ziggy.Secrets.Web.Audit;

namespace Ziggy.Secrets.Tests.Unit.Audit;

public sealed class AuditActionNamesTests
{
    public static TheoryData<AuditAction> Actions() => new(Enum.GetValues<AuditAction>());

    [Theory]
    [MemberData(nameof(Actions))]
    public void Readable_EveryAction_IsWordsNotTheEnumName(AuditAction action)
    {
        var name = AuditActionNames.Readable(action);

        Assert.NotEqual(action.ToString(), name);
        // A capital first letter, then lower-case words: "Secret updated", never "SecretUpdated".
        Assert.Matches(new Regex("^[A-Z][a-z-]*( [a-z][a-z-]*)+$"), name);
    }

    [Fact]
    public void Readable_AllActions_NamesAreDistinct()
    {
        var names = Enum.GetValues<AuditAction>().Select(AuditActionNames.Readable).ToList();

        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public void Readable_SecretUpdated_SaysSecretUpdated() =>
        Assert.Equal("Secret updated", AuditActionNames.Readable(AuditAction.SecretUpdated));
}
