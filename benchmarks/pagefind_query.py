"""What a browser downloads for one Pagefind query, measured in a real browser.

Serves a built site on localhost, opens its search page in Debian's chromium
(Playwright; no browser is downloaded) and runs one-word queries through
Pagefind's JS API the way its default UI does: `search(word)`, then the data
of the first 5 results. Every response under `pagefind/` is counted, by its
size on the wire (the bundle is pre-compressed, so this is what a CDN or
plain web server sends). Each word runs in a fresh browser context: nothing
is cached from an earlier query.

    .venv/bin/python benchmarks/pagefind_query.py SITE_DIR [WORD ...]
"""

from __future__ import annotations

import functools
import http.server
import json
import sys
import threading
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
# Words of the synthetic corpus: a rare one, a domain word, a common one.
WORDS = ("certificate", "timeout", "database", "replica", "the")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def measure(site: Path, words: tuple[str, ...] = WORDS) -> dict:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    out: dict = {"words": {}}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
            for word in words:
                context = browser.new_context()
                page = context.new_page()
                page.route(lambda url: not url.startswith(base), lambda route: route.abort())
                seen: dict[str, int] = {}

                def on_response(response, seen=seen):
                    if "/pagefind/" in response.url:
                        seen[response.url] = len(response.body())

                page.on("response", on_response)
                page.goto(base + "index.html")
                seen.clear()  # only what the query itself loads
                found = page.evaluate(
                    """async (word) => {
                        const pagefind = await import('./pagefind/pagefind.js');
                        await pagefind.init();
                        const search = await pagefind.search(word);
                        await Promise.all(search.results.slice(0, 5).map((r) => r.data()));
                        return search.results.length;
                    }""",
                    word,
                )
                page.wait_for_load_state("networkidle")
                kinds: dict[str, int] = {}
                for url, size in seen.items():
                    kind = url.split("/pagefind/", 1)[1].split("/", 1)[0] if "/" in url.split("/pagefind/", 1)[1] else "js, wasm, meta"
                    kinds[kind] = kinds.get(kind, 0) + size
                out["words"][word] = {"results": found, "kb": sum(seen.values()) / 1024,
                                      "by_kind_kb": {k: round(v / 1024, 1) for k, v in sorted(kinds.items())},
                                      "requests": len(seen)}
                context.close()
            browser.close()
    finally:
        httpd.shutdown()
    sizes = sorted(w["kb"] for w in out["words"].values())
    out["median_kb"] = sizes[len(sizes) // 2]
    out["max_kb"] = sizes[-1]
    out["max_word"] = max(out["words"], key=lambda w: out["words"][w]["kb"])
    return out


if __name__ == "__main__":
    result = measure(Path(sys.argv[1]), tuple(sys.argv[2:]) or WORDS)
    print(json.dumps(result, indent=2))
