"""Relative links in a postmortem's body: `postmortem check` reports the ones
`mkdocs build --strict` would stop on, and only those."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import build, make_project, valid_text
from postmortem_kb.core.links import missing_links, relative_links

POSTMORTEM = str(Path(sys.executable).with_name("postmortem"))

BODY = """## Impact

See [the guide](../../guides/writing.md) and ![graph](img/latency.png "title").
Not [a site](https://example.com/x.md), nor [anchor](#impact), nor [page](../2023/other/), nor [abs](/x.md).
`[code](nope.md)` and [earlier](../2023/2023-01-01-x.md#impact) and [<spaced>](<my file.md>)

```
[fenced](nope2.md)
```

[ref]: ../2022/old.md
"""


def test_the_links_mkdocs_checks_are_found_with_their_lines():
    links = relative_links(BODY, 10, "postmortems/2024/a.md")
    assert links == (
        ("../../guides/writing.md", "guides/writing.md", 12),
        ("img/latency.png", "postmortems/2024/img/latency.png", 12),
        ("../2023/2023-01-01-x.md#impact", "postmortems/2023/2023-01-01-x.md", 14),
        ("<my file.md>", "postmortems/2024/my file.md", 14),
        ("../2022/old.md", "postmortems/2022/old.md", 20),
    )
    assert relative_links("## Impact\n\nNo links here.\n", 5, "postmortems/2024/a.md") == ()


def test_missing_targets_are_warnings_with_a_suggestion():
    links = relative_links(BODY, 10, "postmortems/2024/a.md")
    found = missing_links("postmortems/2024/a.md", links, {"postmortems/2023/2023-01-01-x.md", "postmortems/2021/old.md"},
                          lambda path: path == "guides/writing.md")
    assert [(f.line, f.code, f.level.value) for f in found] == [(12, "body.link", "warning"), (14, "body.link", "warning"),
                                                               (20, "body.link", "warning")]
    assert "`../2022/old.md` points to `postmortems/2022/old.md`" in found[2].message
    assert "(did you mean `../2021/old.md`?)" in found[2].message
    # Outside the site's tree: never a file of it.
    beyond = missing_links("postmortems/2024/a.md", (("../../../x.png", "../x.png", 3),), set(), lambda path: True)
    assert len(beyond) == 1


def test_check_reports_what_the_strict_build_stops_on(tmp_path):
    linking = valid_text().replace("PM-2024-001", "PM-2024-002").replace(
        "## Impact\n", "## Impact\n\nAs [before](a.md), see [the guide](../../guides/g.md), ![x](../../assets/x.png), "
        "[gone](../2023/gone.md), [listing](../index.md), [category](../../categories/config-change/index.md).\n", 1)
    assert "As [before]" in linking
    root = make_project(tmp_path / "kb", {"2024/a.md": valid_text(), "2024/b.md": linking},
                        docs={"index.md": "# Home\n", "guides/g.md": "# G\n"})
    (root / "docs" / "assets").mkdir()
    (root / "docs" / "assets" / "x.png").write_bytes(b"\x89PNG")
    proc = subprocess.run([POSTMORTEM, "check", "--format", "json"], cwd=root, capture_output=True, text=True, timeout=120)
    found = [f for f in json.loads(proc.stdout)["findings"] if f["code"] == "body.link"]
    assert [f["message"].split("`")[1] for f in found] == ["../2023/gone.md"], proc.stdout
    assert proc.returncode == 0  # a warning
    strict = build(root)
    assert strict.returncode != 0
    assert "contains a link '../2023/gone.md', but the target 'postmortems/2023/gone.md' is not found" in strict.output
    assert strict.output.count("is not found among documentation files") == 1
    # Served from the result cache, the same finding.
    again = subprocess.run([POSTMORTEM, "check", "--format", "json"], cwd=root, capture_output=True, text=True, timeout=120)
    assert again.stdout == proc.stdout
    # Fixed, both pass.
    (root / "postmortems" / "2024" / "b.md").write_text(linking.replace("[gone](../2023/gone.md), ", ""), encoding="utf-8")
    assert build(root).returncode == 0
    proc = subprocess.run([POSTMORTEM, "check", "--strict"], cwd=root, capture_output=True, text=True, timeout=120,
                          env={**os.environ})
    assert proc.returncode == 0, proc.stdout
