"""Does a Pagefind query block the page? Pagefind's worker against `noWorker`.

Pagefind 1.5 runs search in a Web Worker (`pagefind-worker.js`, 41 KB, 12 KB
compressed); its `noWorker` option runs it on the page's own thread instead
and saves that download. This measures what the saving costs, in Debian's
chromium (Playwright; no browser is downloaded): for each run and each mode,
a fresh browser context loads the site's home page, initialises Pagefind,
then times `search(word)` plus the data of the first 5 results while a
zero-delay timer loop records the longest gap between its ticks (how long the
page could not respond) and a `PerformanceObserver` adds up long tasks.

    .venv/bin/python benchmarks/pagefind_worker.py SITE_DIR [WORD] [RUNS]

SITE_DIR is a site built with `pagefind: true`. Prints one line per run and
the medians.
"""

from __future__ import annotations

import functools
import http.server
import statistics
import sys
import threading

from pagefind_query import ARGS, CHROMIUM

_QUERY = """async ([word, noWorker]) => {
  const longTasks = [];
  new PerformanceObserver((list) => list.getEntries().forEach((e) => longTasks.push(e.duration)))
    .observe({type: 'longtask'});
  let last = performance.now(), worst = 0, stop = false;
  const tick = () => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
    if (!stop) setTimeout(tick, 0);
  };
  const pagefind = await import('./pagefind/pagefind.js');
  await pagefind.options({noWorker});
  await pagefind.init();
  await new Promise((resolve) => setTimeout(resolve, 300));
  longTasks.length = 0;
  last = performance.now();
  tick();
  const started = performance.now();
  const search = await pagefind.search(word);
  await Promise.all(search.results.slice(0, 5).map((r) => r.data()));
  const took = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 100));
  stop = true;
  return {query_ms: took, longest_freeze_ms: worst, long_tasks_ms: longTasks.reduce((a, b) => a + b, 0),
          results: search.results.length};
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def measure(site: str, word: str = "the", runs: int = 5) -> dict[str, dict[str, float]]:
    from playwright.sync_api import sync_playwright

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=site))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    samples: dict[str, list[dict[str, float]]] = {"worker": [], "noWorker": []}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
            for run in range(runs):
                for mode in samples:  # interleaved: the machine's minute touches both alike
                    context = browser.new_context()
                    page = context.new_page()
                    page.route(lambda url: not url.startswith(base), lambda route: route.abort())
                    page.goto(base + "index.html")
                    page.wait_for_load_state("networkidle")
                    sample = page.evaluate(_QUERY, [word, mode == "noWorker"])
                    samples[mode].append(sample)
                    context.close()
                    print(f"run {run + 1} {mode:8}", {k: round(v, 1) for k, v in sample.items()}, flush=True)
            browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    return {mode: {k: statistics.median(s[k] for s in runs_) for k in runs_[0]} for mode, runs_ in samples.items()}


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    medians = measure(args[0], args[1] if len(args) > 1 else "the", int(args[2]) if len(args) > 2 else 5)
    print("| mode | query (ms) | longest freeze (ms) | long tasks (ms) | results |")
    print("|---|---:|---:|---:|---:|")
    for mode, m in medians.items():
        print(f"| {mode} | {m['query_ms']:.0f} | {m['longest_freeze_ms']:.0f} | {m['long_tasks_ms']:.0f} | {m['results']:.0f} |")
