"""Regenerate the documentation's screenshots (docs/assets/screenshots/*.png).

    .venv/bin/python scripts/screenshots.py            # builds the sample site first
    .venv/bin/python scripts/screenshots.py --site site  # uses an existing build

Builds the sample knowledge base into a temporary folder, serves it on
localhost and photographs the home page, a postmortem, a category page and the
trends page with Debian's chromium (Playwright, never a downloaded browser).
A page the build does not have is skipped with a message.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "assets" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SHOTS = (
    ("home", ""),
    ("postmortem", "postmortems/2025/2025-07-17-checkout-mtls-certificate-expired/"),
    ("category", "categories/time-expiry/"),
    ("trends", "trends/"),
)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def build(site: Path) -> None:
    mkdocs = Path(sys.executable).with_name("mkdocs")
    subprocess.run(
        [str(mkdocs), "build", "-q", "-f", str(REPO / "mkdocs.yml"), "-d", str(site)],
        cwd=REPO, check=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def shoot(site: Path, out: Path) -> list[str]:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    written: list[str] = []
    out.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme="light")
            for name, path in SHOTS:
                if not (site / path / "index.html").is_file():
                    print(f"skipped {name}: {path or '/'} is not in this build")
                    continue
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                target = out / f"{name}.png"
                page.screenshot(path=str(target), full_page=False)
                written.append(str(target.relative_to(REPO)))
                print(f"wrote {target.relative_to(REPO)}")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="an existing build to photograph (default: build the sample)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install -y chromium (make browser)", file=sys.stderr)
        return 1
    if args.site:
        shoot(args.site.resolve(), OUT)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        build(site)
        shoot(site, OUT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
