using System.Text;

namespace Ziggy.Secrets.Tests.Support;

public static class SqliteFileAssert
{
    /// <summary>
    /// Reads the SQLite database file and its WAL byte for byte (not through SQL) and fails if the text appears in
    /// either, as UTF-8 or UTF-16.
    /// </summary>
    public static void DoesNotContain(string databasePath, string text)
    {
        foreach (var (path, bytes) in ReadFiles(databasePath))
        {
            foreach (var needle in new[] { Encoding.UTF8.GetBytes(text), Encoding.Unicode.GetBytes(text) })
            {
                Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"'{text}' was found in {Path.GetFileName(path)}.");
            }
        }
    }

    /// <summary>The positive control: proves the scan finds text that is there.</summary>
    public static bool Contains(string databasePath, string text) =>
        ReadFiles(databasePath).Any(file => file.Bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0);

    /// <summary>
    /// Whether the bytes are in the database file or its WAL as the running app leaves them: its pooled connections stay
    /// open (closing the last one would checkpoint the WAL and hide what a running server keeps there).
    /// </summary>
    public static bool ContainsWhileOpen(string databasePath, byte[] bytes) =>
        ReadFiles(databasePath, clearPool: false).Any(file => file.Bytes.AsSpan().IndexOf(bytes) >= 0);

    private static List<(string Path, byte[] Bytes)> ReadFiles(string databasePath, bool clearPool = true)
    {
        if (clearPool) AppSqlitePool.Clear(databasePath);
        return new[] { databasePath, databasePath + "-wal" }.Where(File.Exists).Select(path =>
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            return (path, memory.ToArray());
        }).ToList();
    }
}
