namespace Ziggy.Secrets.Web.Audit;

public enum AuditAction
{
    SetupCompleted,
    SignInSucceeded,
    SignInFailed,
    InvitationCreated,
    InvitationAccepted,
    RoleChanged,
    MemberDeactivated,
    MemberReactivated,
    OrganizationCreated,
    SecretCreated,
    SecretUpdated,
    SecretValueRemoved,
    SecretDeleted,
    OwnershipTransferred,
    IntegrationSaved,
    IntegrationDeleted,
    IntegrationRun,
    SessionsEnded,
    TwoFactorEnabled,
    TwoFactorDisabled,
    TwoFactorRecoveryCodesRenewed,
    TwoFactorReset,
    TwoFactorRequirementChanged,
    PasswordResetCreated,
    PasswordResetRevoked,
    PasswordResetUsed,
    AccessTokenCreated,
    AccessTokenRevoked,
    AccessTokenUsed,
    AccessTokenRefused,
    SecretValueRestored,
    SecretTrashed,
    SecretRestoredFromTrash,
    SecretPermanentlyDeleted,
    SecretPurged,
    SecretsImported,
    InvitationRevoked,
    InvitationReissued,
}

/// <summary>
/// One thing that happened: when, who, from which address, what, on which secret or user. Names and environments only,
/// never a value. Append-only: the application never edits or deletes one, and the database refuses it too.
/// </summary>
public sealed class AuditEvent
{
    public long Id { get; init; }

    public Guid? OrganizationId { get; init; }

    public DateTimeOffset At { get; init; }

    public Guid? ActorId { get; init; }

    public string ActorName { get; init; } = "";

    public string? Ip { get; init; }

    public AuditAction Action { get; init; }

    public Guid? SecretId { get; init; }

    public string? SecretName { get; init; }

    public Guid? TargetUserId { get; init; }

    public string? TargetName { get; init; }

    public string Details { get; init; } = "";
}
