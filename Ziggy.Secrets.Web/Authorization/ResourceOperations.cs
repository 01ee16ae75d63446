using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace Ziggy.Secrets.Web.Authorization;

/// <summary>What a user may try to do with a secret or an integration. The rules live in <see cref="OwnerOrAdminAuthorizationHandler"/>.</summary>
public static class ResourceOperations
{
    public static readonly OperationAuthorizationRequirement Read = new() { Name = nameof(Read) };
    public static readonly OperationAuthorizationRequirement Update = new() { Name = nameof(Update) };
    public static readonly OperationAuthorizationRequirement Delete = new() { Name = nameof(Delete) };
    public static readonly OperationAuthorizationRequirement TransferOwnership = new() { Name = nameof(TransferOwnership) };

    public static IReadOnlyList<OperationAuthorizationRequirement> All { get; } = [Read, Update, Delete, TransferOwnership];
}
