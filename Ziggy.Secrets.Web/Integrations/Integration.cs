using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Authorization;
using Ziggy.Secrets.Web.Crypto;

namespace Ziggy.Secrets.Web.Integrations;

/// <summary>An HTTP request template of one organization. Any part may reference secrets as <c>{{secrets.NAME}}</c>.</summary>
public sealed class Integration : IOwnedResource
{
    public Guid Id { get; init; } = Guid.NewGuid();

    public Guid OrganizationId { get; init; }

    public Guid OwnerId { get; set; }

    public ApplicationUser? Owner { get; set; }

    public required string Name { get; set; }

    public string Method { get; set; } = "GET";

    public string Url { get; set; } = "";

    /// <summary>One "Name: value" per line.</summary>
    public string Headers { get; set; } = "";

    public string Body { get; set; } = "";

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    public int Version { get; set; } = 1;

    /// <summary>The secret names the template references, kept for "Used by N integrations".</summary>
    public List<IntegrationSecretReference> References { get; init; } = [];
}

public sealed class IntegrationSecretReference
{
    public Guid IntegrationId { get; init; }

    public required string SecretName { get; init; }
}

/// <summary>One run, as recorded: who, when, where, which secrets by name, and the redacted answer. Never a value.</summary>
public sealed class IntegrationRun
{
    public Guid Id { get; init; } = Guid.NewGuid();

    public Guid IntegrationId { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid RunById { get; init; }

    public ApplicationUser? RunBy { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public SecretEnvironment Environment { get; init; }

    /// <summary>Comma-separated names of the secrets the run used.</summary>
    public string SecretNames { get; init; } = "";

    public bool Succeeded { get; init; }

    public int? StatusCode { get; init; }

    public long DurationMs { get; init; }

    public string? Error { get; init; }

    public string ResponseHeaders { get; init; } = "";

    public string ResponseBody { get; init; } = "";

    /// <summary>The size of the body as received (up to the read limit), shown to those who may not see the body itself.</summary>
    public long ResponseBytes { get; init; }

    public bool Truncated { get; init; }
}
