namespace Ziggy.Secrets.Web.Crypto;

public enum SecretEnvironment
{
    Development,
    Staging,
    Production,
}

/// <summary>
/// Where an encrypted value belongs. The ids and the environment are bound into the ciphertext as associated data, so a
/// value copied to another secret, environment or organization fails to decrypt. <see cref="SecretName"/> appears only
/// in error messages: it is not bound, so renaming a secret keeps its values readable.
/// </summary>
public sealed record ValuePlace(Guid OrganizationId, Guid SecretId, string SecretName, SecretEnvironment Environment);
