using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Ziggy.Secrets.Web.Audit;

namespace Ziggy.Secrets.Web.Data.Configurations;

public sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        // SQLite: a plain rowid, not AUTOINCREMENT, which writes its counter to sqlite_sequence on every insert (an
        // eighth of the pages a save commits). AUTOINCREMENT only adds that ids of deleted rows are never handed out
        // again, and no audit row is ever deleted (a trigger refuses it), so ids keep rising either way.
        builder.Property(e => e.Id).Metadata.SetValueGenerationStrategy(SqliteValueGenerationStrategy.None);
        builder.Property(e => e.Action).HasConversion<string>().HasMaxLength(40);
        builder.Property(e => e.ActorName).HasMaxLength(256);
        builder.Property(e => e.Ip).HasMaxLength(64);
        builder.Property(e => e.SecretName).HasMaxLength(2000);
        builder.Property(e => e.TargetName).HasMaxLength(256);
        builder.Property(e => e.Details).HasMaxLength(4000);
        builder.HasIndex(e => new { e.OrganizationId, e.At });
        // A secret's events newest first, as its editor's Audit history reads them (Audit/AuditQueries.cs): one range of this index.
        builder.HasIndex(e => new { e.SecretId, e.At });
    }
}
