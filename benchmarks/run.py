"""Benchmark harness for postmortem-kb (issue 6): one command, a table, BENCHMARKS.md.

    make bench                                   # N = 1000, 5000, 10000
    .venv/bin/python benchmarks/run.py --sizes 1000 5000 --repeat 5

For each N it generates a synthetic knowledge base (benchmarks/generate.py,
reproducible from --seed) under --work (default /tmp/pmkb-bench/N/), checks
that it passes `postmortem check` with zero errors, then measures, each
--repeat times (median reported; --repeat-large for N >= 10,000):

- `postmortem check` over the whole knowledge base (wall time, peak RSS);
- `mkdocs build` with the plugin, and the baseline: the same Markdown under
  docs/postmortems/ built by plain MkDocs + Material with the plugin disabled,
  a small nav and `not_in_nav` (plugin and baseline runs are interleaved so
  both see the same machine load);
- the rebuild after one postmortem changes, in one process with one plugin
  instance (what `mkdocs serve` keeps): a full rebuild (serve's default) and a
  `dirty=True` rebuild, with the plugin's own time from timers around its events;
- the size of the site, of Material's search index and, at N <= 5,000, of
  what Pagefind loads for a one-word query.

Every command is a subprocess; peak memory is its `ru_maxrss` from `os.wait4`.
The generated part of BENCHMARKS.md sits between two markers; text outside
them (the hand-written notes on fixes) is kept.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

BIN = Path(sys.executable).parent
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONDONTWRITEBYTECODE="1")

THEME = """theme:
  name: material
{custom_dir}  font: false
  features:
    - navigation.sections
"""
PLUGIN_YML = """site_name: Synthetic postmortems ({n})
site_url: https://postmortems.example/
docs_dir: docs
site_dir: site
{theme}
nav:
  - Home: index.md
  - Postmortems: postmortems/index.md
  - Browse:
      - Contributing factors: categories/index.md
      - Services: services/index.md
      - Teams: teams/index.md
      - Severities: severities/index.md
      - Years: years/index.md
plugins:
  - search
  - postmortems:
      audience: internal
      reference_date: "2026-01-01"
      pagefind: {pagefind}
markdown_extensions:
  - admonition
  - attr_list
  - tables
  - toc:
      permalink: true
"""
BASELINE_YML = """site_name: Synthetic postmortems, baseline ({n})
site_url: https://postmortems.example/
docs_dir: docs
site_dir: site
{theme}
nav:
  - Home: index.md
not_in_nav: |
  /postmortems/
plugins:
  - search
  - postmortems:
      enabled: false
markdown_extensions:
  - admonition
  - attr_list
  - tables
  - toc:
      permalink: true
"""


# --------------------------------------------------------------------------- setup

def prepare(work: Path, n: int, seed: int) -> tuple[Path, Path]:
    """Write the plugin project and the baseline project for N (reused if already there)."""
    folder = work / str(n)
    kb, base = folder / "kb", folder / "baseline"
    stamp = folder / "stamp.json"
    want = {"n": n, "seed": seed, "generator": (HERE / "generate.py").read_text()}
    if stamp.is_file() and json.loads(stamp.read_text()) == want:
        return kb, base
    shutil.rmtree(folder, ignore_errors=True)
    theme_plugin = THEME.format(custom_dir=f"  custom_dir: {REPO / 'theme_overrides'}\n")
    theme_base = THEME.format(custom_dir="")
    for root in (kb, base):
        (root / "docs").mkdir(parents=True)
    (kb / "mkdocs.yml").write_text(PLUGIN_YML.format(n=n, theme=theme_plugin, pagefind="false"))
    (kb / "mkdocs-pagefind.yml").write_text(PLUGIN_YML.format(n=n, theme=theme_plugin, pagefind="true"))
    (kb / "docs" / "index.md").write_text(f"# Synthetic knowledge base\n\n{n} generated postmortems.\n\n<!-- postmortems:overview -->\n")
    (base / "mkdocs.yml").write_text(BASELINE_YML.format(n=n, theme=theme_base))
    (base / "docs" / "index.md").write_text(f"# Synthetic knowledge base\n\n{n} generated postmortems.\n")
    for rel, text in generate(n, seed):
        for target in (kb / "postmortems" / rel, base / "docs" / "postmortems" / rel):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    stamp.write_text(json.dumps(want))
    return kb, base


# --------------------------------------------------------------------------- measuring

def _tree(root: int) -> list[int]:
    """`root` and every process descended from it (read from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(parents.get(pid, ()))
    return out


def _pss_mb(pids: list[int]) -> float:
    """Proportional set size of `pids` together: pages a forked child shares with
    its parent are counted once, split between them."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            continue
    return total / 1024


def timed(cmd: list[str], cwd: Path) -> dict:
    """Run `cmd`; wall time, the output, the peak RSS of its largest process
    (`rss_mb`, from wait4) and the peak memory of all its processes together
    (`tree_mb`: PSS summed over the process and its children, sampled every 0.25 s:
    reading a 2 GB process's page tables costs a few milliseconds, kept to ~1% of a core)."""
    peak = [0.0]
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=ENV, stdout=out, stderr=subprocess.STDOUT)
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.25):
                peak[0] = max(peak[0], _pss_mb(_tree(proc.pid)))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return {"s": wall, "rss_mb": usage.ru_maxrss / 1024, "tree_mb": peak[0], "rc": proc.returncode, "output": text}


def median(samples: list[dict], key: str) -> float:
    return statistics.median(s[key] for s in samples)


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def build(project: Path, config: str = "mkdocs.yml") -> dict:
    shutil.rmtree(project / "site", ignore_errors=True)
    result = timed([str(BIN / "mkdocs"), "build", "-f", config], project)
    if result["rc"] != 0:
        raise SystemExit(f"mkdocs build failed in {project}:\n{result['output'][-3000:]}")
    result["warnings"] = sum(1 for line in result["output"].splitlines() if line.startswith("WARNING"))
    del result["output"]
    return result


def check(project: Path, cache: bool = False) -> dict:
    """`postmortem check` of the whole knowledge base: every file validated
    (`--no-cache`), or with the result cache filled by the run before."""
    result = timed([str(BIN / "postmortem"), "check", "-q", "-f", "mkdocs.yml", *([] if cache else ["--no-cache"])], project)
    if result["rc"] != 0:
        raise SystemExit(f"postmortem check found errors in {project}:\n{result['output'][-3000:]}")
    del result["output"]
    return result


def check_one(project: Path) -> dict:
    """`postmortem check FILE` without the cache: one postmortem validated, the others read
    for their ids (what a pre-commit hook or `--changed-since` in a pull request runs)."""
    files = sorted((project / "postmortems").rglob("*.md"))
    target = files[len(files) // 2].relative_to(project).as_posix()
    result = timed([str(BIN / "postmortem"), "check", "-q", "--no-cache", "-f", "mkdocs.yml", target], project)
    if result["rc"] != 0:
        raise SystemExit(f"postmortem check {target} found errors in {project}:\n{result['output'][-3000:]}")
    del result["output"]
    return result


def verify(project: Path, n: int) -> dict:
    """The generated postmortems pass `postmortem check` with zero errors (and we count warnings)."""
    result = timed([str(BIN / "postmortem"), "check", "--format", "json", "--no-cache", "-f", "mkdocs.yml"], project)
    report = json.loads(result["output"])
    if report["errors"] or report["checked"] != n:
        raise SystemExit(f"generated knowledge base is not clean: {report['errors']} errors, {report['checked']} checked")
    return {"checked": report["checked"], "errors": report["errors"], "warnings": report["warnings"]}


def rebuild(project: Path) -> dict:
    """Full build, then a full rebuild and a dirty rebuild after one postmortem changes (one process)."""
    result = timed([sys.executable, str(HERE / "run.py"), "_rebuild", str(project)], project)
    if result["rc"] != 0:
        raise SystemExit(f"rebuild measurement failed:\n{result['output'][-3000:]}")
    line = [l for l in result["output"].splitlines() if l.startswith("BENCH-JSON ")][-1]
    data = json.loads(line[len("BENCH-JSON "):])
    data["rss_mb"] = result["rss_mb"]
    return data


def _rebuild_in_process(project: Path) -> None:
    """Runs in a child process: time the plugin's events across three builds of one config."""
    import functools
    import logging

    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    from postmortem_kb.plugin.plugin import PostmortemsPlugin

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    spent: dict[str, float] = {}
    events = ("on_config", "on_files", "on_page_read_source", "on_page_markdown",
              "on_page_content", "on_page_context", "on_post_build")
    from mkdocs.plugins import CombinedEvent

    def timed(original, name):
        def wrapper(self, *args, __original=original, __name=name, **kwargs):
            start = time.perf_counter()
            try:
                return __original(self, *args, **kwargs)
            finally:
                spent[__name] = spent.get(__name, 0.0) + time.perf_counter() - start

        functools.update_wrapper(wrapper, original)  # keeps mkdocs_priority
        return wrapper

    for name in events:
        original = PostmortemsPlugin.__dict__[name]
        if isinstance(original, CombinedEvent):  # several handlers at different priorities
            setattr(PostmortemsPlugin, name, CombinedEvent(*(timed(m, name) for m in original.methods)))
        else:
            setattr(PostmortemsPlugin, name, timed(original, name))

    os.chdir(project)
    config = load_config("mkdocs.yml")
    config.plugins.on_startup(command="serve", dirty=False)
    plugin = config.plugins["postmortems"]
    target = sorted((project / "postmortems").rglob("*.md"))[len(list((project / "postmortems").rglob("*.md"))) // 2]
    original_text = target.read_text(encoding="utf-8")
    runs = {}
    try:
        for label, dirty, edit in (("cold", False, None), ("full", False, " Edited once."), ("dirty", True, " Edited twice.")):
            if edit:
                target.write_text(original_text.replace("## Timeline", edit.strip() + "\n\n## Timeline", 1), encoding="utf-8")
                time.sleep(0.01)
            spent.clear()
            hits, misses = plugin.cache.hits, plugin.cache.misses
            start = time.perf_counter()
            mkdocs_build(config, dirty=dirty)
            total = time.perf_counter() - start
            runs[label] = {
                "s": total,
                "plugin_s": sum(spent.values()),
                "events": dict(spent),
                "cache_hits": plugin.cache.hits - hits,
                "cache_misses": plugin.cache.misses - misses,
            }
    finally:
        target.write_text(original_text, encoding="utf-8")
    print("BENCH-JSON " + json.dumps(runs))


def pagefind(project: Path) -> dict:
    """What Pagefind loads for a one-word query, via the plugin option or, if that is not there yet, standalone."""
    from postmortem_kb.plugin import plugin as plugin_module
    import inspect

    wired = "pagefind" in inspect.getsource(plugin_module.PostmortemsPlugin).replace("pagefind_in_serve", "")
    info: dict = {"via": "plugin option" if wired else "standalone (plugin option not wired yet)"}
    if wired:
        result = build(project, "mkdocs-pagefind.yml")
        info.update(build_s=result["s"], build_rss_mb=result["rss_mb"])
    bundle = project / "site" / "pagefind"
    if not bundle.is_dir():
        if wired:
            info["via"] = "standalone (plugin option ran, but wrote no site/pagefind/)"
        if not (project / "site" / "index.html").is_file():
            build(project)
        result = timed([sys.executable, "-m", "pagefind", "--site", "site"], project)
        if result["rc"] != 0:
            return {"via": "skipped: pagefind failed", "error": result["output"][-500:]}
        info.update(index_s=result["s"], index_rss_mb=result["rss_mb"])
    else:
        # Pagefind's own time and memory: index the built site again, alone, into a scratch folder.
        scratch = project / "pagefind-alone"
        result = timed([sys.executable, "-m", "pagefind", "--site", "site", "--output-path", str(scratch)], project)
        shutil.rmtree(scratch, ignore_errors=True)
        if result["rc"] == 0:
            info.update(index_s=result["s"], index_rss_mb=result["rss_mb"])
    info.update(load_for_query(bundle))
    try:
        from pagefind_query import CHROMIUM, measure

        if CHROMIUM.exists():  # from a host that sends JavaScript as it is, and from one that gzips text
            info["browser"] = measure(project / "site")
            info["browser_gzip"] = measure(project / "site", compress=True)
    except ImportError as exc:  # playwright missing: the upper bound above still stands
        info["browser_error"] = str(exc)
    return info


def load_for_query(bundle: Path) -> dict:
    """Bytes a browser fetches for one one-word query through Pagefind's JS API.

    pagefind.js + pagefind-entry.json + the WebAssembly + the metadata, then the
    index chunk that holds the word (we count the largest chunk: an upper
    bound), all filter chunks (the default UI loads them to show facets), and
    the fragments of the first 5 results (the 5 largest: an upper bound).
    """
    def size(p: Path) -> int:
        return p.stat().st_size

    fixed = [bundle / "pagefind.js", bundle / "pagefind-entry.json"]
    fixed += sorted(bundle.glob("wasm.*.pagefind"))[:1] + sorted(bundle.glob("pagefind.*.pf_meta"))[:1]
    index = sorted((size(p) for p in (bundle / "index").glob("*.pf_index")), reverse=True)
    filters = [size(p) for p in (bundle / "filter").glob("*.pf_filter")] if (bundle / "filter").is_dir() else []
    fragments = sorted((size(p) for p in (bundle / "fragment").glob("*.pf_fragment")), reverse=True)
    ui = [p for p in (bundle / "pagefind-ui.js", bundle / "pagefind-ui.css") if p.is_file()]
    total = sum(size(p) for p in fixed if p.is_file()) + (index[0] if index else 0) + sum(filters) + sum(fragments[:5])
    return {
        "query_kb": total / 1024,
        "ui_kb": sum(size(p) for p in ui) / 1024,
        "index_chunks": len(index),
        "largest_chunk_kb": (index[0] / 1024) if index else 0,
        "bundle_mb": du(bundle) / 1024 / 1024,
    }


# --------------------------------------------------------------------------- report

def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(ram, 1), "os": platform.platform()}


def versions() -> dict:
    import yaml

    def v(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {
        "Python": platform.python_version(),
        "MkDocs": v("mkdocs"),
        "Material": v("mkdocs-material"),
        "PyYAML": f"{yaml.__version__} ({'with' if yaml.__with_libyaml__ else 'without'} libyaml)",
        "Markdown": v("markdown"),
        "Jinja2": v("jinja2"),
        "Pagefind": v("pagefind"),
        "postmortem-kb": v("postmortem-kb"),
    }


def fmt(value: float | None, spec: str = ".2f", unit: str = "") -> str:
    return "n/a" if value is None else f"{value:{spec}}{unit}"


def summarise(r: dict) -> dict:
    s = {"n": r["n"]}
    s["check_s"] = median(r["check"], "s")
    s["check_warm_s"] = median(r["check_warm"], "s") if r.get("check_warm") else None
    s["check_mb"] = max(x["rss_mb"] for x in r["check"])
    s["check_one_s"] = median(r["check_one"], "s") if r.get("check_one") else None
    if not r["plugin"]:
        return s
    s["plugin_s"] = median(r["plugin"], "s")
    s["plugin_mb"] = max(x["rss_mb"] for x in r["plugin"])
    s["plugin_tree_mb"] = max(x.get("tree_mb", 0.0) for x in r["plugin"]) or None
    s["base_s"] = median(r["baseline"], "s")
    s["base_mb"] = max(x["rss_mb"] for x in r["baseline"])
    s["ratio"] = s["plugin_s"] / s["base_s"]
    for key in ("site_mb", "base_site_mb", "search_kb", "base_search_kb", "warnings"):
        s[key] = r.get(key)
    if r.get("rebuild"):
        s["rebuild_full_s"] = statistics.median(x["full"]["s"] for x in r["rebuild"])
        s["rebuild_full_plugin_s"] = statistics.median(x["full"]["plugin_s"] for x in r["rebuild"])
        s["rebuild_dirty_s"] = statistics.median(x["dirty"]["s"] for x in r["rebuild"])
        s["rebuild_dirty_plugin_s"] = statistics.median(x["dirty"]["plugin_s"] for x in r["rebuild"])
        s["rebuild_cache"] = f"{r['rebuild'][-1]['full']['cache_hits']} hit / {r['rebuild'][-1]['full']['cache_misses']} miss"
    s["pagefind"] = r.get("pagefind")
    return s


def targets(rows: dict[int, dict]) -> list[tuple[str, str, str, str]]:
    out = []

    def add(name: str, goal: str, value: float | None, ok: bool | None, shown: str) -> None:
        out.append((name, goal, shown if value is not None else "not measured", "—" if ok is None else ("pass" if ok else "FAIL")))

    r1, r5, r10 = rows.get(1000), rows.get(5000), rows.get(10000)
    ratio = r1.get("ratio") if r1 else None  # no ratio where only `check` ran (--build-max)
    add("Plugin build / baseline at N=1,000", "<= 1.25", ratio, None if ratio is None else ratio <= 1.25, fmt(ratio, ".2f", "x"))
    growth = None
    if r1 and r5 and "plugin_s" in r1 and "plugin_s" in r5:
        growth = (r5["plugin_s"] / r1["plugin_s"]) / (r5["base_s"] / r1["base_s"])
        shown = f"{growth:.2f} (plugin {r5['plugin_s'] / r1['plugin_s']:.2f}x, baseline {r5['base_s'] / r1['base_s']:.2f}x)"
    add("Growth 1k→5k, plugin / baseline", "<= 1.10", growth, None if growth is None else growth <= 1.1, shown if growth else "")
    for row, n, goal in ((r10, "10,000", 3.0), (r1, "1,000", 0.6)):
        v = row["check_s"] if row else None
        warm = row.get("check_warm_s") if row else None
        one = row.get("check_one_s") if row else None
        add(f"`postmortem check`, N={n}", f"< {goal:g} s", v, None if v is None else v < goal,
            f"{fmt(v, '.2f', ' s')} every file validated; {fmt(warm, '.2f', ' s')} with the result cache; "
            f"{fmt(one, '.2f', ' s')} for one file (the others read for their ids)")
    # The larger of: all the build's processes together (it forks children; sampled, so a
    # short peak can slip between samples) and the largest process alone (exact, from wait4).
    v = max(r10.get("plugin_tree_mb") or 0, r10["plugin_mb"]) if r10 and "plugin_mb" in r10 else None
    add("Peak memory of the build, N=10,000", "< 2 GB", v, None if v is None else v < 2048,
        f"{fmt(r10.get('plugin_tree_mb') if r10 else None, '.0f', ' MB')} all processes together (PSS); "
        f"{fmt(r10.get('plugin_mb') if r10 else None, '.0f', ' MB')} the largest process (RSS)")
    dirty = r1.get("rebuild_dirty_plugin_s") if r1 else None
    v = r1.get("rebuild_full_plugin_s") if r1 else None  # serve's default rebuild decides
    add("Plugin's share of a rebuild after one edit, N=1,000", "< 0.5 s", v, None if v is None else v < 0.5,
        f"{fmt(v, '.2f', ' s')} in a full rebuild (serve's default); {fmt(dirty, '.2f', ' s')} with `--dirty`")
    pf = r5.get("pagefind") if r5 else None
    browser = pf.get("browser") if pf else None
    zipped = pf.get("browser_gzip") if pf else None
    if browser and zipped:  # measured in a browser: the worst of the sampled words decides
        # Hosts compress text (GitHub Pages, Netlify, Cloudflare): that decides, and the plain figure is shown too.
        v = zipped["max_kb"]
        add("Pagefind one-word query, N=5,000", "< 500 KB", v, v < 500,
            f"{v:.0f} KB for `{zipped['max_word']}` (the most of {len(zipped['words'])} words; median "
            f"{zipped['median_kb']:.0f} KB) from a host that gzips JavaScript; {browser['max_kb']:.0f} KB "
            f"(median {browser['median_kb']:.0f} KB) from one that does not; in chromium")
    elif browser:
        v = browser["max_kb"]
        add("Pagefind one-word query, N=5,000", "< 500 KB", v, v < 500,
            f"{v:.0f} KB for `{browser['max_word']}` (the most of {len(browser['words'])} words; median "
            f"{browser['median_kb']:.0f} KB), in chromium")
    else:
        v = pf.get("query_kb") if pf else None
        add("Pagefind one-word query, N=5,000", "< 500 KB", v, None if v is None else v < 500,
            f"{fmt(v, '.0f', ' KB')} (upper bound from the files; {pf['via']})" if pf and v is not None else "")
    return out


def render(results: list[dict], meta: dict) -> str:
    rows = {r["n"]: summarise(r) for r in results}
    lines = [
        START,
        "",
        f"Measured {meta['date']} by `benchmarks/run.py` ({meta['seconds'] / 60:.1f} min in all). Command:",
        "",
        f"    {meta['command']}",
        "",
        f"- Machine: {meta['machine']['cpu']}, {meta['machine']['cores']} cores, {meta['machine']['ram_gb']} GB RAM ({meta['machine']['os']}).",
        f"  Load average {meta['load_start']} at the start, {meta['load_end']} at the end: the machine is shared with other",
        "  engineers' test runs, so every figure is the median of repeated runs (plugin and baseline builds",
        "  interleaved, so both see the same load; `postmortem check` also once before each pair, so its",
        "  samples come from several minutes, not one), and single runs can be 20-30% off.",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()) + ".",
        f"- Repeats: {meta['repeat']} per figure ({meta['repeat_large']} at N >= {meta['large_from']:,}, to keep the run short{'; builds only up to N = ' + format(meta['build_max'], ',') if meta['build_max'] else ''}); "
        f"seed {meta['seed']}; work folder `{meta['work']}`.",
        f"- Each synthetic postmortem: ~1,200 words (front matter included), 15-30 timeline entries, 1-4 factors, "
        "1-6 action items; all pass `postmortem check` with zero errors (verified every run).",
        "",
        "Memory: *RSS* is the peak of the largest process (wait4); *all* is the peak of the build's processes",
        "together (it forks children to validate, generate, compose, convert and write pages), as PSS sampled every 0.25 s, so pages a",
        "child shares with its parent count once.",
        "",
        "| N | check (cold / cache / one file) | check RSS | plugin build | plugin memory (RSS / all) | baseline build | baseline RSS | ratio | site (plugin / baseline) | search_index.json (plugin / baseline) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def checks(s: dict) -> str:
        return f"{s['check_s']:.2f} / {fmt(s.get('check_warm_s'), '.2f')} / {fmt(s.get('check_one_s'), '.2f', ' s')}"

    for n, s in sorted(rows.items()):
        if "plugin_s" not in s:
            lines.append(f"| {n:,} | {checks(s)} | {s['check_mb']:.0f} MB | not built | | not built | | | | |")
            continue
        lines.append(
            f"| {n:,} | {checks(s)} | {s['check_mb']:.0f} MB | {s['plugin_s']:.1f} s | {s['plugin_mb']:.0f} / {fmt(s.get('plugin_tree_mb'), '.0f')} MB | "
            f"{s['base_s']:.1f} s | {s['base_mb']:.0f} MB | {s['ratio']:.2f}x | {s['site_mb']:.0f} / {s['base_site_mb']:.0f} MB | "
            f"{s['search_kb'] / 1024:.1f} / {s['base_search_kb'] / 1024:.1f} MB |"
        )
    lines += [
        "",
        "Rebuild after one postmortem changes (one process, one plugin instance, warm parse cache):",
        "",
        "| N | full rebuild (serve's default) | plugin's share | `dirty=True` rebuild | plugin's share | parse cache on rebuild |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for n, s in sorted(rows.items()):
        if "rebuild_full_s" in s:
            lines.append(
                f"| {n:,} | {s['rebuild_full_s']:.1f} s | {s['rebuild_full_plugin_s']:.2f} s | {s['rebuild_dirty_s']:.1f} s | "
                f"{s['rebuild_dirty_plugin_s']:.2f} s | {s['rebuild_cache']} |"
            )
    pf_rows = [(n, s["pagefind"]) for n, s in sorted(rows.items()) if s.get("pagefind")]
    if pf_rows:
        lines += ["", "Pagefind. *In chromium*: one-word queries run through Pagefind's JS API in a real browser "
                  "(benchmarks/pagefind_query.py: `search(word)`, then the first 5 results' data, a fresh browser "
                  "context per word); the local server counts the bytes it sends under `pagefind/`; median and most "
                  "over the words. Pagefind's index, metadata, fragments and WebAssembly are gzip files already, its "
                  "JavaScript is not: *plain* is a server that sends files as they are, *gzip* one that compresses "
                  "text as GitHub Pages, Netlify, Cloudflare or nginx with `gzip_types` do. "
                  "*Upper bound*: from the files on disk (entry, JS, WebAssembly, metadata, the largest index chunk, "
                  "all filter chunks, the 5 largest fragments). Indexing time and memory: Pagefind run alone on the built site.", "",
                  "| N | in chromium, plain: median / most (word) | gzip host: median / most | upper bound | default UI adds | index chunks | bundle on disk | indexing time | indexing RSS |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for n, pf in pf_rows:
            if "query_kb" not in pf:
                lines.append(f"| {n:,} | {pf['via']} | | | | | | | |")
                continue
            b = pf.get("browser")
            z = pf.get("browser_gzip")
            in_browser = f"{b['median_kb']:.0f} / {b['max_kb']:.0f} KB (`{b['max_word']}`)" if b else "not measured"
            zipped = f"{z['median_kb']:.0f} / {z['max_kb']:.0f} KB" if z else "not measured"
            lines.append(
                f"| {n:,} | {in_browser} | {zipped} | {pf['query_kb']:.0f} KB | {pf['ui_kb']:.0f} KB | {pf['index_chunks']} | {pf['bundle_mb']:.1f} MB | "
                f"{fmt(pf.get('index_s'), '.1f', ' s')} | {fmt(pf.get('index_rss_mb'), '.0f', ' MB')} |"
            )
            if b:
                lines.append("")
                lines.append(f"N={n:,} per word, plain: " + "; ".join(
                    f"`{w}` {x['kb']:.0f} KB ({x['results']} results; " + ", ".join(f"{k} {v} KB" for k, v in x["by_kind_kb"].items()) + ")"
                    for w, x in b["words"].items()))
                if z:
                    lines.append("")
                    lines.append(f"N={n:,} per word, gzip host: " + "; ".join(
                        f"`{w}` {x['kb']:.0f} KB (js {x['by_kind_kb'].get('js', 0)} KB)" for w, x in z["words"].items()))
                lines.append("")
    lines += ["", "Targets of issue 6, computed from the figures above:", "", "| target | goal | measured | result |", "|---|---|---|---|"]
    for name, goal, value, ok in targets(rows):
        lines.append(f"| {name} | {goal} | {value} | {ok} |")
    lines += ["", "Every sample (seconds):", ""]
    for r in results:
        samples = "; ".join(f"{k} " + ", ".join(f"{x['s']:.2f}" for x in r[k]) for k in ("check", "check_warm", "check_one", "plugin", "baseline") if r.get(k))
        lines.append(f"- N={r['n']:,}: {samples}")
    lines += ["", END]
    return "\n".join(lines)


def write_report(path: Path, block: str) -> None:
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        if START in text and END in text:
            head, rest = text.split(START, 1)
            tail = rest.split(END, 1)[1]
            path.write_text(head + block + tail, encoding="utf-8")
            return
    path.write_text("# Benchmarks\n\nGenerated by `make bench` (`benchmarks/run.py`); see the notes below the table.\n\n" + block + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- main

def compile_bytecode() -> None:
    """Write the package's bytecode once, as installing a wheel does.

    The runs set PYTHONDONTWRITEBYTECODE (nothing is written while measuring), and
    an editable install has no bytecode for modules changed since it was last
    written: each `postmortem check` would then compile them from source again
    (about 35 ms here), which no installed copy does.
    """
    import compileall

    compileall.compile_dir(str(REPO / "plugins"), quiet=1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000], help="knowledge-base sizes (default: 1000 5000 10000)")
    parser.add_argument("--seed", type=int, default=20240314, help="generator seed (same seed, same files)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is reported (default 3)")
    parser.add_argument("--repeat-large", type=int, default=1, help="runs per build figure at N >= 10,000 (default 1)")
    parser.add_argument("--large-from", type=int, default=10_000, help="N from which --repeat-large applies (default 10000)")
    parser.add_argument("--build-max", type=int, default=None, help="above this N, only generate and time `postmortem check` (no builds)")
    parser.add_argument("--rebuild-repeat", type=int, default=None, help="rebuild measurements at N <= 1000 (default: --repeat)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "pmkb-bench", help="where the knowledge bases are generated")
    parser.add_argument("--output", type=Path, default=REPO / "BENCHMARKS.md", help="report file (the generated block is replaced)")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    parser.add_argument("--no-rebuild", action="store_true", help="skip the rebuild measurement")
    parser.add_argument("--no-pagefind", action="store_true", help="skip the Pagefind measurement")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    compile_bytecode()
    load_start = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    results = []
    for n in args.sizes:
        repeat = args.repeat if n < args.large_from else max(1, args.repeat_large)
        t = time.perf_counter()
        kb, base = prepare(args.work, n, args.seed)
        r: dict = {"n": n, "repeat": repeat, "generate_s": time.perf_counter() - t}
        r["verify"] = verify(kb, n)
        print(f"N={n}: generated in {r['generate_s']:.1f} s; check: {r['verify']['errors']} errors, {r['verify']['warnings']} warnings", flush=True)
        r["check"] = [check(kb) for _ in range(max(3, args.repeat))]
        shutil.rmtree(kb / ".cache", ignore_errors=True)
        check(kb, cache=True)  # fills the cache
        r["check_warm"] = [check(kb, cache=True) for _ in range(max(3, args.repeat))]
        r["check_one"] = [check_one(kb) for _ in range(max(3, args.repeat))]
        print(f"  check: {statistics.median(x['s'] for x in r['check']):.2f} s cold, "
              f"{statistics.median(x['s'] for x in r['check_warm']):.2f} s warm, "
              f"{statistics.median(x['s'] for x in r['check_one']):.2f} s one file", flush=True)
        r["plugin"], r["baseline"] = [], []
        if args.build_max is not None and n > args.build_max:
            shutil.rmtree(kb / ".cache", ignore_errors=True)
            results.append(r)
            continue
        for i in range(repeat):
            # One more check of each kind before each pair of builds: the machine's speed
            # changes from minute to minute, and back-to-back runs all see the same minute.
            r["check"].append(check(kb))
            r["check_warm"].append(check(kb, cache=True))
            r["check_one"].append(check_one(kb))
            r["plugin"].append(build(kb))
            r["baseline"].append(build(base))
            print(f"  run {i + 1}/{repeat}: plugin {r['plugin'][-1]['s']:.1f} s, baseline {r['baseline'][-1]['s']:.1f} s", flush=True)
        shutil.rmtree(kb / ".cache", ignore_errors=True)  # no stale state for the next run
        r["warnings"] = r["plugin"][-1]["warnings"]
        r["site_mb"] = du(kb / "site") / 1024 / 1024
        r["base_site_mb"] = du(base / "site") / 1024 / 1024
        r["search_kb"] = (kb / "site/search/search_index.json").stat().st_size / 1024
        r["base_search_kb"] = (base / "site/search/search_index.json").stat().st_size / 1024
        if not args.no_pagefind and n <= 5000:
            r["pagefind"] = pagefind(kb)
            print(f"  pagefind: {r['pagefind']}", flush=True)
        if not args.no_rebuild and n <= 5000:
            r["rebuild"] = [rebuild(kb) for _ in range((args.rebuild_repeat or repeat) if n <= 1000 else 1)]
            print(f"  rebuild: {[{k: round(v['s'], 2) for k, v in x.items() if isinstance(v, dict)} for x in r['rebuild']]}", flush=True)
        results.append(r)
        log = args.work / f"results-{dt.datetime.now():%Y%m%d-%H%M%S}-{n}.json"
        log.write_text(json.dumps(r, indent=1, default=str))

    meta = {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "command": " ".join([".venv/bin/python benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "machine": machine(),
        "versions": versions(),
        "repeat": args.repeat,
        "repeat_large": args.repeat_large,
        "large_from": args.large_from,
        "build_max": args.build_max,
        "seed": args.seed,
        "work": args.work,
        "seconds": time.perf_counter() - started,
        "load_start": load_start,
        "load_end": ", ".join(f"{x:.1f}" for x in os.getloadavg()),
    }
    block = render(results, meta)
    print(block)
    (args.work / "last-report.md").write_text(block)
    if not args.no_write:
        write_report(args.output, block)
        print(f"\nwritten to {args.output}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "_rebuild":
        _rebuild_in_process(Path(sys.argv[2]))
    else:
        main()
