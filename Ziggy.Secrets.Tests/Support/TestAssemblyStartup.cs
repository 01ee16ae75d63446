using System.Runtime.CompilerServices;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Tests.Support;

internal static class TestAssemblyStartup
{
    /// <summary>
    /// The test process starts SQLite as the app's process does (<see cref="SqliteStartup"/>), before any test can open
    /// a database.
    /// </summary>
#pragma warning disable CA2255 // A test assembly is loaded by its runner only; this is its process's start.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize() => SqliteStartup.Configure();
}
