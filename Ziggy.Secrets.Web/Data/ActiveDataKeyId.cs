namespace Ziggy.Secrets.Web.Data;

/// <summary>
/// The newest data key's id, which is the one new values must be encrypted under: a <c>rotate-key</c> run in another
/// process adds a key while this one serves.
/// </summary>
public sealed class ActiveDataKeyId() : SqliteWatchedNumber("SELECT max(Id) FROM DataKeys");
