namespace Ziggy.Secrets.Tests.Support;

/// <summary>
/// Every test of the class, inherited ones included, runs the app on PostgreSQL. Where PostgreSQL cannot run
/// (<see cref="TestPostgres.SkipReason"/>) they are reported as skipped with the reason; <see cref="PostgresTestFramework"/>
/// does that at discovery, since xunit 2 cannot skip a test once it runs.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RequiresPostgresAttribute : Attribute;
