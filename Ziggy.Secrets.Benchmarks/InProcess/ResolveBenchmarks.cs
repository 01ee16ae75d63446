using Ziggy.Secrets.Web.Integrations;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using NSec.Cryptography;
using Ziggy.Secrets.Web.Authorization;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Benchmarks.InProcess;

/// <summary>
/// What resolving the secrets of one integration run costs (load, authorize and decrypt 10 values through the app's own
/// services; no outbound call) beside its floor: the same 10 decrypts straight through NSec.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcessRun))]
public class ResolveBenchmarks : AppBenchmark
{
    public const int SecretCount = 10;

    private static readonly AeadAlgorithm Aead = AeadAlgorithm.XChaCha20Poly1305;

    private readonly List<string> _names = [];
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly List<(byte[] Nonce, byte[] AssociatedData, byte[] Ciphertext)> _raw = [];
    private Key _rawKey = null!;
    private AsyncServiceScope _request;
    private SecretValueResolver _resolver = null!;
    private IntegrationService _integrations = null!;

    /// <summary>The app (see <see cref="AppBenchmark"/>) with 10 secrets holding a Production API key each.</summary>
    [GlobalSetup]
    public async Task SetUpAsync()
    {
        await StartAppAsync();
        _request = Services.CreateAsyncScope();
        _resolver = _request.ServiceProvider.GetRequiredService<SecretValueResolver>();
        _integrations = _request.ServiceProvider.GetRequiredService<IntegrationService>();
        _rawKey = Key.Create(Aead);
        for (var i = 0; i < SecretCount; i++)
        {
            var name = $"BENCH_API_KEY_{i:D2}";
            var value = "sk_live_" + RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 48);
            var created = await CreateSecretAsync(name, SecretEnvironment.Production, value);
            _names.Add(name);
            _values[name] = value;
            _raw.Add(RawCiphertext(created.Id, value));
        }

        // A benchmark of a refused run or of failed decrypts would measure the wrong thing.
        var resolved = await Resolve();
        if (resolved.Count != SecretCount || resolved.Any(v => _values[v.Name] != v.Value))
            throw new InvalidOperationException("Resolve did not answer the seeded values.");
        if (RawNSecDecrypt() != _values.Values.Sum(v => v.Length))
            throw new InvalidOperationException("The raw decrypts did not answer the seeded values.");
    }

    /// <summary>
    /// One integration run's resolve as <c>IntegrationService.RunAsync</c> calls it: inside a request whose scope and
    /// DbContext already exist (the run has used them to load the integration and its owner), so what is measured is the
    /// resolve itself: loading the stored values, the checks, 10 decrypts. The refusals are the run's real check,
    /// the rule that a run mixes only secrets the same people control, for an integration owned by the benchmark's owner.
    /// </summary>
    [Benchmark]
    public async Task<IReadOnlyList<ResolvedValue>> Resolve()
    {
        var result = await _resolver.ResolveAsync(Owner.OrganizationId, _names, SecretEnvironment.Production,
            secrets => _integrations.MixingRefusalsAsync(Owner.OrganizationId, Owner.UserId, secrets.Select(NamedSecret.Of).ToList()));
        return result.Value ?? throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Message)));
    }

    /// <summary>
    /// The floor: 10 decrypts with a key already imported, of values and associated data of the app's sizes, each into a
    /// new byte array and then a string as the app's cipher does. Nothing else: no query, no authorization, no key lookup.
    /// </summary>
    [Benchmark(Baseline = true)]
    public int RawNSecDecrypt()
    {
        var characters = 0;
        foreach (var (nonce, associatedData, ciphertext) in _raw)
        {
            var plaintext = new byte[ciphertext.Length - Aead.TagSize];
            characters += Aead.Decrypt(_rawKey, nonce, associatedData, ciphertext, plaintext) ? Encoding.UTF8.GetString(plaintext).Length : 0;
        }

        return characters;
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        _rawKey.Dispose();
        _request.Dispose();
        StopApp();
    }

    /// <summary>
    /// Encrypted under a key of our own (the app's data keys never leave its ring), with associated data built to the
    /// app's format, so it has the same length the app binds into each value.
    /// </summary>
    private (byte[] Nonce, byte[] AssociatedData, byte[] Ciphertext) RawCiphertext(Guid secretId, string value)
    {
        var nonce = RandomNumberGenerator.GetBytes(Aead.NonceSize);
        var associatedData = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"ziggy-secret-value:v1|{Owner.OrganizationId:D}|{secretId:D}|{SecretEnvironment.Production}|1"));
        return (nonce, associatedData, Aead.Encrypt(_rawKey, nonce, associatedData, Encoding.UTF8.GetBytes(value)));
    }
}
