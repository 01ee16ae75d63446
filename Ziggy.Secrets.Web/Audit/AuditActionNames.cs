namespace Ziggy.Secrets.Web.Audit;

/// <summary>What the Audit page, its CSV export and a secret's history call each <see cref="AuditAction"/>.</summary>
public static class AuditActionNames
{
    /// <summary>
    /// Every value is named here: a new <see cref="AuditAction"/> without a name falls back to its enum name, which a
    /// unit test refuses.
    /// </summary>
    public static string Readable(AuditAction action) => action switch
    {
        AuditAction.SetupCompleted => "Setup completed",
        AuditAction.SignInSucceeded => "Signed in",
        AuditAction.SignInFailed => "Sign-in failed",
        AuditAction.InvitationCreated => "Invitation created",
        AuditAction.InvitationAccepted => "Invitation accepted",
        AuditAction.RoleChanged => "Role changed",
        AuditAction.MemberDeactivated => "Member deactivated",
        AuditAction.MemberReactivated => "Member reactivated",
        AuditAction.OrganizationCreated => "Organization created",
        AuditAction.SecretCreated => "Secret created",
        AuditAction.SecretUpdated => "Secret updated",
        AuditAction.SecretValueRemoved => "Secret value removed",
        AuditAction.SecretDeleted => "Secret deleted",
        AuditAction.OwnershipTransferred => "Ownership transferred",
        AuditAction.IntegrationSaved => "Integration saved",
        AuditAction.IntegrationDeleted => "Integration deleted",
        AuditAction.IntegrationRun => "Integration run",
        AuditAction.SessionsEnded => "Sessions ended",
        AuditAction.TwoFactorEnabled => "Two-factor enabled",
        AuditAction.TwoFactorDisabled => "Two-factor disabled",
        AuditAction.TwoFactorRecoveryCodesRenewed => "Recovery codes renewed",
        AuditAction.TwoFactorReset => "Two-factor reset",
        AuditAction.TwoFactorRequirementChanged => "Two-factor requirement changed",
        AuditAction.PasswordResetCreated => "Password reset link created",
        AuditAction.PasswordResetRevoked => "Password reset link revoked",
        AuditAction.PasswordResetUsed => "Password reset link used",
        AuditAction.AccessTokenCreated => "Access token created",
        AuditAction.AccessTokenRevoked => "Access token revoked",
        AuditAction.AccessTokenUsed => "Access token used",
        AuditAction.AccessTokenRefused => "Access token refused",
        AuditAction.SecretValueRestored => "Secret value restored",
        AuditAction.SecretTrashed => "Secret moved to trash",
        AuditAction.SecretRestoredFromTrash => "Secret restored from trash",
        AuditAction.SecretPermanentlyDeleted => "Secret permanently deleted",
        AuditAction.SecretPurged => "Secret purged from trash",
        AuditAction.SecretsImported => "Secrets imported",
        AuditAction.InvitationRevoked => "Invitation revoked",
        AuditAction.InvitationReissued => "Invitation re-issued",
        _ => action.ToString(),
    };
}
