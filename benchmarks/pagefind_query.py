"""What a browser downloads for one Pagefind query, measured in a real browser.

Serves a built site on localhost, opens it in Debian's chromium (Playwright;
no browser is downloaded) and runs one-word queries through Pagefind's JS API
the way its default UI does: `search(word)`, then the data of the first 5
results. The server counts the bytes it sends for every file under
`pagefind/`: what travels on the wire. Each word runs in a fresh browser
context: nothing is cached from an earlier query.

Pagefind's index, metadata, fragments and WebAssembly are gzip files on disk
already; its JavaScript (`pagefind.js`, `pagefind-worker.js`) is plain text.
So the size depends on the host: with `--gzip` the server compresses text the
way GitHub Pages, Netlify, Cloudflare or nginx with `gzip_types` do; without
it, JavaScript goes out as it is on disk (Python's `http.server`, nginx's
defaults).

    .venv/bin/python benchmarks/pagefind_query.py [--gzip] SITE_DIR [WORD ...]
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import sys
import threading
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
# Words of the synthetic corpus: a rare one, a domain word, a common one.
WORDS = ("certificate", "timeout", "database", "replica", "the")
# What hosts that compress compress: text, never the already-gzipped Pagefind files.
_TEXT = (".js", ".css", ".html", ".json", ".svg", ".xml", ".txt")


class _Counting(http.server.SimpleHTTPRequestHandler):
    """A static file server that records the bytes of each response body it sends."""

    sent: dict[str, int]
    lock: threading.Lock
    compress = False

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        encoded = (
            self.compress
            and path.suffix in _TEXT
            and "gzip" in self.headers.get("Accept-Encoding", "")
        )
        if encoded:
            body = gzip.compress(body, compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        if encoded:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        path = self.path.split("?", 1)[0]
        with self.lock:
            self.sent[path] = self.sent.get(path, 0) + len(body)  # a file fetched twice counts twice


def _kind(url_path: str) -> str:
    """`index`, `fragment`, `filter`, `js`, `wasm` or `meta`: what a response was."""
    rest = url_path.split("/pagefind/", 1)[1]
    if "/" in rest:
        return rest.split("/", 1)[0]
    if rest.endswith(".js"):
        return "js"
    if ".pf_meta" in rest:
        return "meta"
    if rest.startswith("wasm."):
        return "wasm"
    return "other"


def measure(site: Path, words: tuple[str, ...] = WORDS, *, compress: bool = False) -> dict:
    """Bytes sent under `pagefind/` for each word's query; `compress`: gzip text like most hosts."""
    from playwright.sync_api import sync_playwright

    sent: dict[str, int] = {}
    lock = threading.Lock()
    handler = functools.partial(
        type("_Handler", (_Counting,), {"sent": sent, "lock": lock, "compress": compress}), directory=str(site)
    )
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    out: dict = {"words": {}, "compressed": compress}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
            for word in words:
                context = browser.new_context()
                page = context.new_page()
                page.route(lambda url: not url.startswith(base), lambda route: route.abort())
                page.goto(base + "index.html")
                page.wait_for_load_state("networkidle")
                with lock:
                    sent.clear()  # only what the query itself loads
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
                with lock:
                    seen = {path: size for path, size in sent.items() if "/pagefind/" in path}
                kinds: dict[str, int] = {}
                for path, size in seen.items():
                    kinds[_kind(path)] = kinds.get(_kind(path), 0) + size
                out["words"][word] = {"results": found, "kb": sum(seen.values()) / 1024,
                                      "by_kind_kb": {k: round(v / 1024, 1) for k, v in sorted(kinds.items())},
                                      "requests": len(seen)}
                context.close()
            browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    sizes = sorted(w["kb"] for w in out["words"].values())
    out["median_kb"] = sizes[len(sizes) // 2]
    out["max_kb"] = sizes[-1]
    out["max_word"] = max(out["words"], key=lambda w: out["words"][w]["kb"])
    return out


if __name__ == "__main__":
    argv = sys.argv[1:]
    gzip_text = "--gzip" in argv
    argv = [a for a in argv if a != "--gzip"]
    result = measure(Path(argv[0]), tuple(argv[1:]) or WORDS, compress=gzip_text)
    print(json.dumps(result, indent=2))
