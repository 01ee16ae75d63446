using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Ziggy.Secrets.Web.Audit;

namespace Ziggy.Secrets.Web.Data.Configurations;

public sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.Property(e => e.Action).HasConversion<string>().HasMaxLength(40);
        builder.Property(e => e.ActorName).HasMaxLength(256);
        builder.Property(e => e.Ip).HasMaxLength(64);
        builder.Property(e => e.SecretName).HasMaxLength(2000);
        builder.Property(e => e.TargetName).HasMaxLength(256);
        builder.Property(e => e.Details).HasMaxLength(4000);
        builder.HasIndex(e => new { e.OrganizationId, e.At });
        builder.HasIndex(e => e.SecretId);
    }
}
