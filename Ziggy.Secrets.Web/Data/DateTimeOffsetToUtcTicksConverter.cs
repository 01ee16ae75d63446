using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Ziggy.Secrets.Web.Data;

public sealed class DateTimeOffsetToUtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
    value => value.UtcTicks,
    ticks => FromUtcTicks(ticks))
{
    /// <summary>The stored form read back, for code that reads a data reader itself.</summary>
    public static DateTimeOffset FromUtcTicks(long ticks) => new(ticks, TimeSpan.Zero);
}
