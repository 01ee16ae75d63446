namespace Ziggy.Secrets.Web.Accounts;

public sealed class Organization
{
    public const int NameMaxLength = 100;

    public Guid Id { get; init; } = Guid.NewGuid();

    public required string Name { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public TwoFactorRequirement TwoFactorRequirement { get; set; }
}
