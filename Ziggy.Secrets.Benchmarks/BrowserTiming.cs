using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Cookie = Microsoft.Playwright.Cookie;

namespace Ziggy.Secrets.Benchmarks;

/// <summary>Where the time of one measured run went, in ms since navigation start (null: did not happen).</summary>
public sealed record BrowserTimeline(
    double? HtmlFirstByteMs,
    double? HtmlDoneMs,
    double? PageStartMs,
    double? DomContentLoadedMs,
    IReadOnlyList<ResourceTiming> Resources,
    double? RowDataSetMs,
    double? TypedMs,
    double? FilterHandlerMs,
    double? SettledMs,
    IReadOnlyList<LongTask> LongTasks);

/// <summary>A Resource Timing entry: fetch start, first byte and end in ms since navigation start; bytes as sent (compressed).</summary>
public sealed record ResourceTiming(string Name, string Initiator, double StartMs, double FirstByteMs, double EndMs, long TransferBytes, long DecodedBytes);

/// <summary>A main-thread task longer than 50 ms (the Long Tasks API): the page could not react during it.</summary>
public sealed record LongTask(double StartMs, double DurationMs);

/// <summary>
/// One measured page load, in ms since navigation start: <paramref name="FirstRowsMs"/> when a painted frame first showed
/// secret rows, <paramref name="UsableMs"/> when, after the search was typed at once, a frame showed the one match alone.
/// <paramref name="GotoToNavigationStartMs"/> is how long after the GotoAsync call the page's clock started (the
/// Playwright overhead left out of the figures). <paramref name="Settling"/> is how the machine was before the navigation
/// (see <see cref="MachineIdle"/>). Failed runs keep their timings (for diagnosis) but are left out of the medians.
/// </summary>
public sealed record BrowserRun(int Run, double? FirstRowsMs, double? UsableMs, double GotoToNavigationStartMs, MachineIdle.Wait Settling, BrowserTimeline? Timeline, IReadOnlyList<string> Errors)
{
    public bool Passed => Errors.Count == 0 && UsableMs is not null;
}

/// <summary>Medians over the passed runs (NaN when none passed); <see cref="ConsoleErrors"/> gathers every run's errors, warm-up included.</summary>
public sealed record BrowserFigures(
    double FirstRowsMsMedian,
    double UsableMsMedian,
    double UsableMsMax,
    int Runs,
    int FailedRuns,
    IReadOnlyList<string> ConsoleErrors,
    IReadOnlyList<BrowserRun> PerRun)
{
    public string ToMarkdown()
    {
        static string Ms(double? v) => v is { } d && !double.IsNaN(d) ? d.ToString("N0", CultureInfo.InvariantCulture) : "-";
        var text = new StringBuilder();
        text.AppendLine("| run | settled before (ms, busy %) | first rows ms | usable ms | HTML done | page start | DOMContentLoaded | rows fetch start | rows first byte | rows done (KB) | rowData set | typed | filter handler ms | settled | long tasks (start+ms) | errors |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
        foreach (var run in PerRun)
        {
            var t = run.Timeline;
            var rows = t?.Resources.FirstOrDefault(r => r.Name.Contains("handler=Rows", StringComparison.OrdinalIgnoreCase));
            var longTasks = t is null ? "" : string.Join(" ", t.LongTasks.Select(l => $"{Ms(l.StartMs)}+{Ms(l.DurationMs)}"));
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {run.Run} | {run.Settling} | {Ms(run.FirstRowsMs)} | {Ms(run.UsableMs)} | {Ms(t?.HtmlDoneMs)} | {Ms(t?.PageStartMs)} | {Ms(t?.DomContentLoadedMs)} | {Ms(rows?.StartMs)} | {Ms(rows?.FirstByteMs)} | " +
                $"{Ms(rows?.EndMs)} ({(rows?.TransferBytes ?? 0) / 1024:N0}) | {Ms(t?.RowDataSetMs)} | {Ms(t?.TypedMs)} | {t?.FilterHandlerMs?.ToString("N1", CultureInfo.InvariantCulture) ?? "-"} | {Ms(t?.SettledMs)} | " +
                $"{longTasks} | {string.Join("; ", run.Errors)} |");
        }

        text.AppendLine(CultureInfo.InvariantCulture,
            $"Median of {Runs - FailedRuns} passed run(s) of {Runs}: first rows {Ms(FirstRowsMsMedian)} ms, usable {Ms(UsableMsMedian)} ms (max {Ms(UsableMsMax)} ms).");
        return text.ToString();
    }
}

/// <summary>
/// Time to a usable Secrets page in headless Chromium (Debian's, never a downloaded one): from navigation start until
/// the grid shows rows, and until a quick search typed as soon as rows show has narrowed the grid to the one match.
/// Asserts nothing; a run with a console error, an uncaught exception, a CSP violation or a failed request is reported
/// as failed and left out of the medians.
/// </summary>
/// <remarks>
/// Cache state: every measured run uses a fresh browser context, so its HTTP cache, cookies jar and storage are empty
/// apart from the copied sign-in cookies. <see cref="Visit.FirstFromOrigin"/> and <see cref="Visit.FirstFromBlankTab"/>
/// measure a cold cache, the demanding case (a first visit, not a returning user whose AG Grid script is cached); they
/// differ in where the tab is when the navigation starts (see <see cref="Visit"/>). <see cref="Visit.Returning"/> first
/// opens the page once, unmeasured, as a user who has been there before (the browser then holds AG Grid in its HTTP cache
/// and its compiled code cache). Every way, the unmeasured warm-up navigation warms the server (JIT, database pages) and
/// the browser process, not the measured contexts' caches. Each measured navigation starts once the machine is idle
/// again (<see cref="MachineIdle"/>): the new context's window has finished its own start-up.
/// </remarks>
public static class BrowserTiming
{
    /// <summary>Where the measured navigation to <c>/Secrets</c> starts.</summary>
    public enum Visit
    {
        /// <summary>
        /// First visit, from a tab already showing a document of the app's origin that loads nothing (its favicon), as
        /// a tab is after signing in: the HTTP cache is still empty for everything the Secrets page loads.
        /// </summary>
        FirstFromOrigin,

        /// <summary>
        /// First visit, from Playwright's blank tab. The app answers with <c>Cross-Origin-Opener-Policy: same-origin</c>,
        /// so Chromium moves the page to a new browsing context group and starts a renderer process for it during the
        /// navigation (desktop Chrome usually has a spare one ready).
        /// </summary>
        FirstFromBlankTab,

        /// <summary>A returning user: the page was opened once in the same context, unmeasured, so its scripts are cached.</summary>
        Returning,
    }

    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>A name the benchmark seeds far down the list (the grid sorts by name): only one row matches it.</summary>
    public const string DefaultSearch = "SECRET_09876";

    private const int ViewportWidth = 1600;
    private const int ViewportHeight = 1000;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(15);

    // Runs inside the page before any of its scripts. Timing is taken in the page with performance.now(), whose origin
    // is the navigation start (Navigation Timing's startTime 0), so no Playwright round trip (driver process, CDP, .NET)
    // lands in the figures. Checks run once per animation frame: what a frame callback sees is what that frame paints,
    // so the times are "painted by this frame" (within one frame, ~16 ms), and the layout a check forces is the one that
    // frame needs anyway (a MutationObserver would force layouts in the middle of AG Grid's rendering instead).
    // The search is "typed" in the page too, in the task right after the frame that first showed rows: the value is
    // set at once (as a paste, or Playwright's FillAsync, would) and an input event dispatched, which is the event the
    // page listens to. Typing from .NET would add the round trip to the user's reaction time instead of the page's.
    private const string ProbeScript = """
        (() => {
          if (location.pathname.toLowerCase() !== '/secrets') return;
          const target = __TARGET__;
          const probe = window.__ziggyProbe = {
            // When the page's document exists and runs its first script (this one): before it, the browser was still
            // making the context's renderer, which no page can speed up.
            pageStartMs: performance.now(),
            firstRowsMs: null, rowDataSetMs: null, typedMs: null, filterHandlerMs: null, usableMs: null, settledMs: null,
            violations: [], longTasks: [], failure: null,
          };
          // The end is announced on the console, which Playwright already listens to: waiting on an evaluated promise
          // instead would have Playwright evaluate its own script in the page while the page is still loading.
          let finish;
          probe.done = new Promise((resolve) => { finish = () => { resolve(); console.info(__DONE__); }; });
          document.addEventListener('securitypolicyviolation', (e) =>
            probe.violations.push(`CSP ${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile || '?'}:${e.lineNumber}`));
          try {
            new PerformanceObserver((list) => {
              for (const e of list.getEntries()) probe.longTasks.push({ startMs: e.startTime, durationMs: e.duration });
            }).observe({ type: 'longtask', buffered: true });
          } catch { /* no Long Tasks API: the timeline simply has none */ }
          // grids.js sets data-loaded right after handing the rows to the grid.
          new MutationObserver((_, observer) => {
            if (document.getElementById('secrets-grid')?.dataset.loaded === 'true') {
              probe.rowDataSetMs = performance.now();
              observer.disconnect();
            }
          }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-loaded'] });

          // Rows a person can see: rendered, inside the viewport, not fading out after a filter. AG Grid 36 puts rows in
          // .ag-grid-scrolling-container (no .ag-center-cols-container any more); one row per row-id, pinned copies aside.
          const nameOf = (row) => (row.querySelector('[col-id="name"]') || row).textContent.trim();
          const shownRows = () => {
            const byId = new Map();
            for (const row of document.querySelectorAll('#secrets-grid .ag-row[row-id]')) {
              if (row.classList.contains('ag-opacity-zero') || !row.querySelector('[col-id="name"]')) continue;
              const box = row.getBoundingClientRect();
              if (box.height > 0 && box.bottom > 0 && box.top < window.innerHeight) byId.set(row.getAttribute('row-id'), row);
            }
            return Array.from(byId.values());
          };
          const type = () => {
            const box = document.getElementById('quick-search');
            if (!box) { probe.failure = 'no #quick-search box'; finish(); return; }
            box.focus();
            box.value = target;
            probe.typedMs = performance.now();
            box.dispatchEvent(new Event('input', { bubbles: true }));
            probe.filterHandlerMs = performance.now() - probe.typedMs;
          };
          const frame = () => {
            if (probe.firstRowsMs === null) {
              if (shownRows().some((row) => nameOf(row) !== '')) {
                probe.firstRowsMs = performance.now();
                setTimeout(type, 0);
              }
            } else if (probe.typedMs !== null && probe.usableMs === null) {
              // Usable: the one match is on screen and every other row is gone or fading out.
              const rows = shownRows();
              if (rows.length === 1 && nameOf(rows[0]) === target) probe.usableMs = performance.now();
            } else if (probe.usableMs !== null) {
              // Settled: the fade-out and move animations are over, only the match is left in the DOM (for information).
              if (document.querySelectorAll('#secrets-grid .ag-row').length === 1 || performance.now() - probe.usableMs > 2000) {
                probe.settledMs = performance.now();
                finish();
                return;
              }
            }
            requestAnimationFrame(frame);
          };
          requestAnimationFrame(frame);
        })();
        """;

    // Collected once the run is over: Navigation and Resource Timing (all relative to navigation start).
    private const string TimelineScript = """
        () => {
          const p = window.__ziggyProbe;
          const nav = performance.getEntriesByType('navigation')[0];
          return JSON.stringify({
            htmlFirstByteMs: nav ? nav.responseStart : null,
            htmlDoneMs: nav ? nav.responseEnd : null,
            domContentLoadedMs: nav && nav.domContentLoadedEventEnd > 0 ? nav.domContentLoadedEventEnd : null,
            resources: performance.getEntriesByType('resource').map((r) => ({
              name: new URL(r.name).pathname.split('/').pop() + new URL(r.name).search.replace(/[?&]v=[^&]*/, ''),
              initiator: r.initiatorType, startMs: r.startTime, firstByteMs: r.responseStart, endMs: r.responseEnd,
              transferBytes: r.transferSize, decodedBytes: r.decodedBodySize,
            })),
            pageStartMs: p.pageStartMs, rowDataSetMs: p.rowDataSetMs, typedMs: p.typedMs, filterHandlerMs: p.filterHandlerMs, settledMs: p.settledMs,
            longTasks: p.longTasks,
          });
        }
        """;

    private const string DoneMessage = "ziggy-probe-done";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Opens <c>/Secrets</c> once unmeasured, then <paramref name="runs"/> times measured, each in a fresh browser context
    /// signed in with the cookies of <paramref name="cookies"/> (the benchmark's HttpClient session).
    /// <paramref name="search"/> must match exactly one secret's name and no description.
    /// </summary>
    public static async Task<BrowserFigures> TimeToUsableAsync(Uri baseUrl, CookieContainer cookies, Visit visit, int runs = 9, string search = DefaultSearch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        var profile = Path.Combine(Path.GetTempPath(), "ziggy-bench-browser-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        var signedIn = cookies.GetCookies(baseUrl).Select(c => new Cookie
        {
            Name = c.Name,
            Value = c.Value,
            Domain = c.Domain,
            Path = string.IsNullOrEmpty(c.Path) ? "/" : c.Path,
            HttpOnly = c.HttpOnly,
            Secure = c.Secure,
            // CookieContainer does not keep SameSite; every request here is same-site, where Lax and Strict behave alike.
            SameSite = SameSiteAttribute.Lax,
            Expires = c.Expires == DateTime.MinValue ? -1 : new DateTimeOffset(c.Expires.ToUniversalTime()).ToUnixTimeSeconds(),
        }).ToList();
        var probe = ProbeScript.Replace("__TARGET__", JsonSerializer.Serialize(search), StringComparison.Ordinal)
            .Replace("__DONE__", JsonSerializer.Serialize(DoneMessage), StringComparison.Ordinal);

        using var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic",
            ],
            Env = new Dictionary<string, string>
            {
                ["XDG_CONFIG_HOME"] = Path.Combine(profile, "config"),
                ["XDG_CACHE_HOME"] = Path.Combine(profile, "cache"),
                ["HOME"] = profile,
            },
        });

        try
        {
            // Unmeasured: JIT and database pages on the server, Chromium's own start-up costs.
            var warmUp = await RunOnceAsync(browser, baseUrl, signedIn, probe, 0, visit);
            var measured = new List<BrowserRun>();
            for (var i = 1; i <= runs; i++) measured.Add(await RunOnceAsync(browser, baseUrl, signedIn, probe, i, visit));

            var passed = measured.Where(r => r.Passed).ToList();
            var usable = passed.Select(r => r.UsableMs!.Value).ToList();
            return new BrowserFigures(
                Statistics.Median(passed.Select(r => r.FirstRowsMs!.Value)),
                Statistics.Median(usable),
                usable.Count == 0 ? double.NaN : usable.Max(),
                runs,
                runs - passed.Count,
                warmUp.Errors.Select(e => "warm-up: " + e).Concat(measured.SelectMany(r => r.Errors.Select(e => $"run {r.Run}: {e}"))).ToList(),
                measured);
        }
        finally
        {
            await browser.CloseAsync();
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
                // Chromium may still be writing its profile; a leftover temp folder is harmless.
            }
        }
    }

    private static async Task<BrowserRun> RunOnceAsync(IBrowser browser, Uri baseUrl, IReadOnlyList<Cookie> signedIn, string probe, int run, Visit visit)
    {
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl.ToString(),
            ViewportSize = new() { Width = ViewportWidth, Height = ViewportHeight },
        });
        await context.AddCookiesAsync(signedIn);
        await context.AddInitScriptAsync(probe);
        var page = await context.NewPageAsync();
        // Each navigation's probe announces its end on the console; a new page load waits for a new announcement.
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var measuring = false;
        var errors = new ConcurrentQueue<string>();
        page.Console += (_, message) =>
        {
            if (measuring && message.Type == "error") errors.Enqueue("console: " + message.Text);
            if (message.Type == "info" && message.Text == DoneMessage) done.TrySetResult();
        };
        if (visit == Visit.FirstFromOrigin) await page.GotoAsync("/favicon.ico", new PageGotoOptions { Timeout = (float)RunTimeout.TotalMilliseconds });
        if (visit == Visit.Returning)
        {
            await page.GotoAsync("/Secrets", new PageGotoOptions { Timeout = (float)RunTimeout.TotalMilliseconds });
            await done.Task.WaitAsync(RunTimeout);
            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        // The new window's own start-up (see MachineIdle) is over before the measured navigation starts.
        var settling = await MachineIdle.WaitAsync();
        measuring = true;
        page.PageError += (_, error) => errors.Enqueue("uncaught: " + error);
        page.RequestFailed += (_, request) => errors.Enqueue($"request failed: {request.Url} ({request.Failure})");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400) errors.Enqueue($"HTTP {response.Status}: {response.Url}");
        };

        double? firstRowsMs = null, usableMs = null;
        BrowserTimeline? timeline = null;
        var gotoCalled = (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;
        var gotoToNavigationStart = double.NaN;
        try
        {
            var response = await page.GotoAsync("/Secrets", new PageGotoOptions { WaitUntil = WaitUntilState.Commit, Timeout = (float)RunTimeout.TotalMilliseconds });
            if (!new Uri(page.Url).AbsolutePath.Equals("/Secrets", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"landed on {page.Url} (HTTP {response?.Status}): not signed in?");

            // Waits for the probe's console message: nothing is asked of the page until it is done. A page that never
            // gets usable still reports how far it got (first rows, timeline) below.
            if (await Task.WhenAny(done.Task, Task.Delay(RunTimeout)) != done.Task) errors.Enqueue($"not usable within {RunTimeout.TotalSeconds:N0} s");

            var state = await page.EvaluateAsync<JsonElement>(
                "() => ({ origin: performance.timeOrigin, first: __ziggyProbe.firstRowsMs, usable: __ziggyProbe.usableMs, violations: __ziggyProbe.violations, failure: __ziggyProbe.failure })");
            gotoToNavigationStart = state.GetProperty("origin").GetDouble() - gotoCalled;
            firstRowsMs = Nullable(state.GetProperty("first"));
            usableMs = Nullable(state.GetProperty("usable"));
            foreach (var violation in state.GetProperty("violations").EnumerateArray()) errors.Enqueue(violation.GetString()!);
            if (state.GetProperty("failure").GetString() is { } failure) errors.Enqueue(failure);
            timeline = JsonSerializer.Deserialize<BrowserTimeline>(await page.EvaluateAsync<string>(TimelineScript), Json);

            // The probe typed into the box itself; check from outside that the page really shows the one match.
            var shown = page.Locator("#secrets-grid .ag-row:not(.ag-opacity-zero)");
            if (usableMs is not null && (await shown.CountAsync() != 1 || !(await shown.First.InnerTextAsync()).Contains(await page.InputValueAsync("#quick-search"), StringComparison.Ordinal)))
                errors.Enqueue("the grid did not show exactly the searched row");
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException or InvalidOperationException)
        {
            errors.Enqueue("run failed: " + e.Message.Split('\n')[0]);
        }

        return new BrowserRun(run, firstRowsMs, usableMs, gotoToNavigationStart, settling, timeline, errors.ToList());
    }

    private static double? Nullable(JsonElement value) => value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
}
