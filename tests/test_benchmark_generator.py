"""The benchmark's synthetic postmortems are valid against the format (no timing here)."""

from __future__ import annotations

import sys
from pathlib import Path

from postmortem_kb.core.knowledge_base import assemble
from postmortem_kb.core.settings import Settings
from postmortem_kb.core.validate import check_bytes

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from generate import generate  # noqa: E402


def test_generated_postmortems_pass_validation() -> None:
    settings = Settings()
    results = [check_bytes(f"postmortems/{rel}", text.encode(), settings) for rel, text in generate(60, seed=7)]
    kb = assemble(results, settings)
    assert [f.format() for f in kb.findings if f.is_error] == []
    assert len(kb.published) == 60


def test_generation_is_reproducible_and_sized() -> None:
    first, second = list(generate(5, seed=3)), list(generate(5, seed=3))
    assert first == second
    for _, text in first:
        assert 700 <= len(text.split()) <= 2000
        timeline = [line for line in text.split("## Timeline", 1)[1].split("##", 1)[0].splitlines() if line.startswith("- ")]
        assert 15 <= len(timeline) <= 30
