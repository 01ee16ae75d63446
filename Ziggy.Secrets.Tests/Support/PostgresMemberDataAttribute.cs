using System.Reflection;

namespace Ziggy.Secrets.Tests.Support;

/// <summary>
/// [MemberData] for the rows of a theory that run the app on PostgreSQL: skipped with <see cref="TestPostgres.SkipReason"/>
/// where PostgreSQL cannot run (for whole classes, use <see cref="RequiresPostgresAttribute"/>).
/// </summary>
public sealed class PostgresMemberDataAttribute : MemberDataAttributeBase
{
    public PostgresMemberDataAttribute(string memberName, params object[] parameters)
        : base(memberName, parameters) => Skip = TestPostgres.SkipReason;

    protected override object[] ConvertDataItem(MethodInfo testMethod, object item) =>
        item as object[] ?? throw new ArgumentException($"{MemberName} on {testMethod.DeclaringType?.Name} must yield object[] rows.");
}
