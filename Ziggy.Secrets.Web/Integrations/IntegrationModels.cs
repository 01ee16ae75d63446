using Ziggy.Secrets.Web.Crypto;

namespace Ziggy.Secrets.Web.Integrations;

/// <param name="RuleBroken">Why a run would now be refused for mixing secrets of different people; null when it would not.</param>
public sealed record IntegrationListItem(
    Guid Id, string Name, string Method, string Url, string Owner, int References, DateTimeOffset? LastRunAt, string? LastRunOutcome, string? RuleBroken);

/// <summary>A referenced name and what is known about it: whether it exists, has a value per environment, may be used.</summary>
public sealed record ReferenceStatus(string Name, bool Exists, bool Development, bool Staging, bool Production, bool MayUse)
{
    public bool HasValue(SecretEnvironment environment) => environment switch
    {
        SecretEnvironment.Development => Development,
        SecretEnvironment.Staging => Staging,
        _ => Production,
    };
}

/// <summary>
/// A run as the history lists it: what happened, without what came back (a response can be a megabyte; the history
/// loads one when its row is opened, as a <see cref="RunView"/>).
/// </summary>
public sealed record RunSummary(
    Guid Id, DateTimeOffset StartedAt, string RunBy, SecretEnvironment Environment, string SecretNames, bool Succeeded,
    int? StatusCode, long DurationMs, string? Error, bool Truncated, long ResponseBytes);

/// <summary>
/// A run with what came back, as one viewer may see it. When <see cref="ResponseHidden"/>, the headers and body are
/// empty: the viewer may not change every secret the run decrypted.
/// </summary>
public sealed record RunView(RunSummary Summary, string ResponseHeaders, string ResponseBody, bool ResponseHidden);

public sealed record IntegrationDetails(
    Guid Id, string Name, string Method, string Url, string Headers, string Body, int Version, Guid OwnerId, string OwnerName,
    bool CanModify, IReadOnlyList<ReferenceStatus> References, IReadOnlyList<RunSummary> Runs);

/// <summary>A run as its runner may see it, and the run panel's history that now begins with it.</summary>
public sealed record RunOutcome(RunView Run, IReadOnlyList<RunSummary> History);
