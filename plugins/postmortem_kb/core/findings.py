"""Findings: what validation reports about a file, one per problem."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

# Characters a text may not hide: control characters other than tab and line breaks, and
# the direction controls that make text display in another order than it is written
# ("Trojan Source"). Front matter refuses both (core/frontmatter.py); messages escape them.
CONTROL_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
BIDI_CHARS = "\u202a-\u202e\u2066-\u2069"

# In a message, shown as escapes, never sent to a terminal or a log as they are
# (`\x1b[2J` would clear the screen); line breaks too, unless the output escapes them.
_CONTROLS = re.compile(f"[\n\r{CONTROL_CHARS}{BIDI_CHARS}]")
_CONTROLS_BUT_LINES = re.compile(f"[{CONTROL_CHARS}{BIDI_CHARS}]")


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 file`, `2 files` (`many` for irregular plurals)."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def visible(text: str, *, lines: bool = False) -> str:
    """`text` with its control characters written as escapes (`\\n`, `\\x1b`); tabs stay,
    and line breaks too with `lines` (for outputs that escape them their own way)."""
    if text.isprintable():
        return text
    pattern = _CONTROLS_BUT_LINES if lines else _CONTROLS
    return pattern.sub(lambda m: _escape(m.group()), text)


def _escape(char: str) -> str:
    if char in "\n\r":
        return "\\n" if char == "\n" else "\\r"
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


class Level(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in one file.

    `line` is 1-based and counts from the top of the file (front matter
    included), so an editor can jump to it; 0 means "the whole file".
    `code` is a stable identifier (`frontmatter.required`, `timeline.order`...)
    that tests, JSON output and inline suppressions can rely on.
    """

    path: str
    line: int
    level: Level
    code: str
    message: str
    column: int = 0  # 1-based where a rule knows it (the lint rules), else 0

    @property
    def is_error(self) -> bool:
        return self.level is Level.ERROR

    def format(self) -> str:
        """`path:line: level: message`, one line, safe to print."""
        where = f"{visible(self.path)}:{self.line}" if self.line else visible(self.path)
        return f"{where}: {self.level.value}: {visible(self.message)}"

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "level": self.level.value,
            "code": self.code,
            "message": self.message,
            "column": self.column,
        }


def sort_key(finding: Finding) -> tuple[str, int, int, str]:
    return (finding.path, finding.line, finding.column, finding.code)


class Reporter:
    """Collects findings for one file; rules call `error()` and `warning()`."""

    __slots__ = ("path", "findings")

    def __init__(self, path: str) -> None:
        self.path = path
        self.findings: list[Finding] = []

    def error(self, line: int, code: str, message: str, column: int = 0) -> None:
        self.findings.append(Finding(self.path, line, Level.ERROR, code, message, column))

    def warning(self, line: int, code: str, message: str, column: int = 0) -> None:
        self.findings.append(Finding(self.path, line, Level.WARNING, code, message, column))

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.findings)
