using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Ziggy.Secrets.Tests.Support;

/// <summary>Keeps every response (status line, headers, body) a session received, for canary sweeps.</summary>
public sealed class ResponseRecorder(ConcurrentQueue<string> responses) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        responses.Enqueue($"{request.Method} {request.RequestUri} -> {(int)response.StatusCode}\n{response.Headers}{response.Content.Headers}\n{body}");
        return response;
    }
}

/// <summary>Captures every log line the app writes, at every level, for canary sweeps.</summary>
public sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
