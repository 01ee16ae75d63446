namespace Ziggy.Secrets.Web.Secrets;

/// <summary>
/// One organization's secrets change stamp. Database triggers (never application code) give it a new random value in
/// the same transaction as every insert, update or delete of one of its secrets and every change of a member's display
/// name, whoever writes: this server, another instance, an operator's SQL. The grid's rows carry it as their ETag, so a
/// browser revalidating unchanged rows gets 304 without the rows being read. Random rather than counted, so a database put
/// back from a backup cannot repeat a stamp the browser already holds.
/// </summary>
public sealed class SecretsChangeStamp
{
    public Guid OrganizationId { get; init; }

    public long Stamp { get; init; }
}
