using System.Text.Json;
using System.Text.Json.Serialization;
using Ziggy.Secrets.Web.Crypto;

namespace Ziggy.Secrets.Web.Secrets;

/// <summary>
/// A grid row: whether each environment has a value, never the value and never its mask. <see cref="ProdShared"/>: the
/// Production value equals another environment's (by fingerprint).
/// </summary>
public sealed record SecretRow(Guid Id, string Name, string Description, bool Dev, bool Staging, bool Prod, string Owner, DateTimeOffset Created, bool ProdShared = false)
{
    public const int DevFlag = 1, StagingFlag = 2, ProdFlag = 4, ProdSharedFlag = 8;

    /// <summary>A row whose four Yes/No columns come as one number of the flags above.</summary>
    public static SecretRow FromFlags(Guid id, string name, string description, int flags, string owner, DateTimeOffset created) =>
        new(id, name, description, (flags & DevFlag) != 0, (flags & StagingFlag) != 0, (flags & ProdFlag) != 0, owner, created, (flags & ProdSharedFlag) != 0);
}

/// <summary>What the editor shows: masks only. <see cref="Masks"/> holds null for an environment without a value.</summary>
public sealed record SecretDetails(
    Guid Id,
    string Name,
    string Description,
    int Version,
    Guid OwnerId,
    string OwnerName,
    DateTimeOffset CreatedAt,
    string CreatedByName,
    DateTimeOffset UpdatedAt,
    string UpdatedByName,
    IReadOnlyDictionary<SecretEnvironment, string?> Masks,
    bool CanModify,
    bool CanTransfer,
    IReadOnlyList<string> UsedBy,
    IReadOnlyDictionary<SecretEnvironment, byte[]?> Fingerprints,
    bool ProductionMatchesOther)
{
    public SecretRow ToRow() => new(Id, Name, Description,
        Masks[SecretEnvironment.Development] is not null, Masks[SecretEnvironment.Staging] is not null,
        Masks[SecretEnvironment.Production] is not null, OwnerName, CreatedAt, ProductionMatchesOther);

    /// <summary>"Staging and Production have the same value." for each group of environments holding one value.</summary>
    public IReadOnlyList<string> SameValues => ValueFingerprint.SameValueStatements(Fingerprints);
}

/// <summary>One environment's value history as the editor shows it; <see cref="CanRestore"/> for the owner and administrators.</summary>
public sealed record ValueHistoryView(Guid SecretId, SecretEnvironment Environment, int SecretVersion, bool CanRestore, IReadOnlyList<ValueVersionRow> Versions);

/// <summary>What a write answers: the secret it saved and the version it now has.</summary>
public sealed record SavedSecret(Guid Id, int Version)
{
    public const string NothingToSaveMessage = "Nothing to save";

    /// <summary>The secret's name as saved.</summary>
    public string Name { get; init; } = "";

    /// <summary>The save changed nothing (no value typed or removed, same name and description): nothing was written.</summary>
    public bool NothingChanged { get; init; }

    /// <summary>
    /// The editor's view as this write left the secret, drawn from what the write loaded and changed (a save, a restore, a
    /// transfer); null after a creation, whose caller reads the editor when it shows it.
    /// </summary>
    public SecretDetails? Editor { get; init; }
}

public sealed record SecretDraft(string Name, string Description, IReadOnlyDictionary<SecretEnvironment, string> Values)
{
    /// <summary>Environments whose value the person chose to store despite its warning (<see cref="SecretRules.ValueWarning"/>).</summary>
    public IReadOnlyCollection<SecretEnvironment> Confirmed { get; init; } = [];
}

/// <summary>
/// A save of an existing secret. <see cref="NewValues"/> holds the environments given a new value and
/// <see cref="Removed"/> those whose stored value is removed; any other environment keeps its stored ciphertext byte for
/// byte. There is no other way to remove a value: an empty new value is not a removal.
/// </summary>
public sealed record SecretChanges(
    int Version, string Name, string Description, IReadOnlyDictionary<SecretEnvironment, string> NewValues, IReadOnlyCollection<SecretEnvironment> Removed)
{
    public SecretChanges(int version, string name, string description, IReadOnlyDictionary<SecretEnvironment, string> newValues)
        : this(version, name, description, newValues, [])
    {
    }

    /// <summary>Environments whose new value the person chose to store despite its warning (<see cref="SecretRules.ValueWarning"/>).</summary>
    public IReadOnlyCollection<SecretEnvironment> Confirmed { get; init; } = [];
}

/// <summary>
/// The grid rows' JSON (camel case, as MVC writes JSON), written by code the compiler generates rather than through
/// reflection: an organization's grid answer holds every one of its secrets.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IAsyncEnumerable<SecretRow>))]
public sealed partial class SecretRowsJson : JsonSerializerContext;
