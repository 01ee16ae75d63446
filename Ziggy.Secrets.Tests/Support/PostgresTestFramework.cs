using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("Ziggy.Secrets.Tests.Support.PostgresTestFramework", "Ziggy.Secrets.Tests")]

namespace Ziggy.Secrets.Tests.Support;

/// <summary>
/// xunit's own framework, except that the tests of a <see cref="RequiresPostgresAttribute"/> class are discovered as
/// skipped (with <see cref="TestPostgres.SkipReason"/>) where PostgreSQL cannot run. Working on the concrete class is
/// what lets the SQLite base classes keep plain [Fact]s that their XxxOnPostgres subclasses inherit.
/// </summary>
public sealed class PostgresTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkDiscoverer CreateDiscoverer(IAssemblyInfo assemblyInfo) =>
        new Discoverer(assemblyInfo, SourceInformationProvider, DiagnosticMessageSink);

    // Running every test (dotnet test without a filter) discovers through the executor's own discoverer.
    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Executor(AssemblyName assemblyName, ISourceInformationProvider sourceInformation, IMessageSink diagnostics)
        : XunitTestFrameworkExecutor(assemblyName, sourceInformation, diagnostics)
    {
        protected override ITestFrameworkDiscoverer CreateDiscoverer() => new Discoverer(AssemblyInfo, SourceInformationProvider, DiagnosticMessageSink);
    }

    private sealed class Discoverer(IAssemblyInfo assemblyInfo, ISourceInformationProvider sourceInformation, IMessageSink diagnostics)
        : XunitTestFrameworkDiscoverer(assemblyInfo, sourceInformation, diagnostics)
    {
        protected override bool FindTestsForMethod(ITestMethod testMethod, bool includeSourceInformation, IMessageBus messageBus,
            ITestFrameworkDiscoveryOptions discoveryOptions)
        {
            if (TestPostgres.SkipReason is not { } reason
                || !testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresPostgresAttribute)).Any()
                || !testMethod.Method.GetCustomAttributes(typeof(FactAttribute)).Any())
                return base.FindTestsForMethod(testMethod, includeSourceInformation, messageBus, discoveryOptions);

            // One skipped case per method, theories included (their rows would need the database to be listed anyway).
            var skipped = new XunitSkippedDataRowTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason);
            return ReportDiscoveredTestCase(skipped, includeSourceInformation, messageBus);
        }
    }
}
