using Microsoft.Data.Sqlite;

namespace Ziggy.Secrets.Benchmarks.Ceilings;

/// <summary>
/// The floor under a save: one-row transactions on a SQLite file with the app's durability settings (WAL, SQLite's
/// default synchronous), nothing else. A save commits at least this once, so no save can be faster. One connection:
/// callers run one transaction at a time.
/// </summary>
public sealed class RawSqliteTable : IDisposable
{
    private readonly SqliteConnection _connection;
    // About the size of a stored value's ciphertext with its nonce.
    private readonly byte[] _value = new byte[96];

    public RawSqliteTable(string path)
    {
        _connection = new SqliteConnection($"Data Source={path};Pooling=False");
        _connection.Open();
        using var setup = _connection.CreateCommand();
        setup.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v BLOB NOT NULL);";
        setup.ExecuteNonQuery();
    }

    /// <summary>One transaction that inserts one row and commits.</summary>
    public int InsertOne()
    {
        using var transaction = _connection.BeginTransaction();
        using var insert = _connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO t (v) VALUES ($v)";
        insert.Parameters.AddWithValue("$v", _value);
        var rows = insert.ExecuteNonQuery();
        transaction.Commit();
        return rows;
    }

    public void Dispose() => _connection.Dispose();
}
