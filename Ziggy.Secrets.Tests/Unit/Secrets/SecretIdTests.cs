using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Unit.Secrets;

/// <summary>
/// New secrets get time-ordered ids, so the rows of a bulk import sit side by side in every index keyed by secret. The
/// order must hold in the forms the databases compare: SQLite's text (upper-case, as EF Core stores a Guid there) and the
/// bytes of PostgreSQL's uuid, the same order as the digits of the text.
/// </summary>
public class SecretIdTests
{
    [Fact]
    public void NewSecret_GetsAVersion7Id_WithRandomBitsNoTwoAlike()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => new Secret { Name = "A" }.Id).ToList();

        Assert.All(ids, id => Assert.Equal(7, id.Version));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void SecretsCreatedLater_SortAfterEarlierOnes_AsTheDatabasesCompareIds()
    {
        var earlier = new List<Guid>();
        var later = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            earlier.Add(new Secret { Name = "A" }.Id);
            Thread.Sleep(2); // the timestamp counts milliseconds; within one millisecond the order is random
            later.Add(new Secret { Name = "B" }.Id);
        }

        for (var i = 0; i < earlier.Count; i++)
        {
            Assert.True(string.CompareOrdinal(Stored(earlier[i]), Stored(later[i])) < 0, $"{earlier[i]} should sort before {later[i]}");
            Assert.True(earlier[i].CompareTo(later[i]) < 0);
        }

        static string Stored(Guid id) => id.ToString().ToUpperInvariant();
    }
}
