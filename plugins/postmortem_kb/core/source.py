"""Reading a postmortem file and splitting it into front matter and body.

The split is done here, not by python-frontmatter, because every finding must
carry the exact line it is about, in the front matter and in the body alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_FILE_BYTES = 2 * 1024 * 1024
# Control bytes other than tab and line breaks: invisible in an editor, copied into the
# HTML as they are. Found by deleting them (a C loop, about 5 µs a file) and comparing lengths.
_CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])
_CONTROL_SET = frozenset(_CONTROL_BYTES)
# C1 controls (U+0080 to U+009F), two bytes in UTF-8 starting 0xC2: searched for only
# when that byte occurs (a memchr). They are mostly text that went through the wrong
# encoding (Windows-1252 read as Latin-1), or a terminal's CSI (U+009B).
_C1 = re.compile("[\x80-\x9f]")

_FENCE = re.compile(r"^---[ \t]*$")
_FENCE_LINE = re.compile(_FENCE.pattern, re.MULTILINE)  # the same, at any line of a text
# YAML's end-of-document marker, which does not close front matter; a Markdown heading.
_DOTS_LINE = re.compile(r"^\.\.\.[ \t]*$", re.MULTILINE)
_HEADING_LINE = re.compile(r"^#{1,6}[ \t]+\S.*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class SourceDoc:
    """A postmortem's text, split. Lines are 1-based, counted in the file."""

    path: str
    front_matter: str
    front_matter_line: int
    body: str
    body_line: int


class SourceError(Exception):
    def __init__(self, line: int, code: str, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.code = code
        self.message = message


def decode(data: bytes) -> str:
    """Decode UTF-8 (a byte-order mark is accepted) and normalise line endings."""
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(
            0,
            "file.too-large",
            f"the file is {len(data) / 1024 / 1024:.1f} MB; a postmortem is at most "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB: link large logs or captures instead of pasting them",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        wide = _wide_encoding(data)
        if wide:
            raise _wide_error(wide) from None
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            line,
            "file.encoding",
            f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8",
        ) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        wide = _wide_encoding(data)
        if wide:  # UTF-16 without a byte-order mark: every other byte of ASCII text is 0
            raise _wide_error(wide)
        raise SourceError(
            text[: text.index("\x00")].count("\n") + 1,
            "file.encoding",
            "the file contains a NUL byte; a postmortem is a UTF-8 text file",
        )
    positions = []
    if len(data.translate(None, _CONTROL_BYTES)) != len(data):
        positions.append(next(i for i, ch in enumerate(text) if ord(ch) in _CONTROL_SET))
    if b"\xc2" in data:
        c1 = _C1.search(text)
        if c1:
            positions.append(c1.start())
    if positions:
        position = min(positions)
        raise SourceError(
            text[:position].count("\n") + 1,
            "file.control",
            f"this line contains an invisible control character (U+{ord(text[position]):04X}); "
            f"remove it{_control_hint(text[position])}",
        )
    return text


def _wide_encoding(data: bytes) -> str | None:
    """`UTF-16` or `UTF-32` when the bytes are that (by byte-order mark, or by the zero bytes
    of ASCII text in UTF-16), else None. Read only for a file that is not valid UTF-8 text."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    odd, even = data[1:200:2], data[0:200:2]
    if len(odd) >= 4 and max(odd.count(0), even.count(0)) * 4 >= len(odd) * 3:
        return "UTF-16"  # three quarters of the odd (or even) bytes are zero: ASCII in UTF-16
    return None


def _wide_error(encoding: str) -> SourceError:
    return SourceError(
        1,
        "file.encoding",
        f"the file is saved as {encoding}; save it as UTF-8 (your editor's \"Save with encoding\" "
        "or \"Encoding\" menu)",
    )


def _control_hint(char: str) -> str:
    """Where an invisible control character most likely came from."""
    if char in "\x1b\x9b":
        return " (terminal colour codes pasted with a log? paste the log without them)"
    if "\x80" <= char <= "\x9f":
        try:
            meant = char.encode("latin-1").decode("cp1252")
        except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: nothing in Windows-1252
            return " (text copied through the wrong encoding? retype it)"
        return f" (text copied through the wrong encoding? it was probably `{meant}`: retype it)"
    return ""


def split(path: str, text: str) -> SourceDoc:
    """Split `text` into YAML front matter and Markdown body."""
    if not text.strip():
        raise SourceError(
            1,
            "file.empty",
            "the file is empty; a postmortem starts with YAML front matter between two `---` lines "
            "(copy postmortems/_templates/postmortem.md to start)",
        )
    first_end = text.find("\n")
    if not _FENCE.match(text if first_end == -1 else text[:first_end]):
        opening = _FENCE_LINE.search(text)
        if opening is not None and not text[: opening.start()].strip():
            # Blank lines above the `---`: YAML front matter is recognised only on line 1.
            blank = text.count("\n", 0, opening.start())
            raise SourceError(
                1,
                "frontmatter.missing",
                f"the front matter's opening `---` is on line {blank + 1}; it must be on line 1: "
                f"remove the {'blank line' if blank == 1 else f'{blank} blank lines'} above it",
            )
        raise SourceError(
            1,
            "frontmatter.missing",
            "no front matter: a postmortem starts with a `---` line, then YAML fields "
            "(`id`, `title`, `status`...), then another `---` line",
        )
    # The closing `---` line, found among the lines starting with `---` (no list of lines
    # to split and join again).
    position = text.find("\n---", first_end) if first_end != -1 else -1
    while position != -1:
        closing = _FENCE_LINE.match(text, position + 1)
        if closing is not None:
            index = text.count("\n", 0, position + 1)  # its line, 0-based
            front_matter = text[first_end + 1 : position]
            return SourceDoc(path, front_matter, 2, text[closing.end() + 1 :], index + 2)
        position = text.find("\n---", position + 1)
    # Not closed: say what the author most likely meant (only on this failure path).
    heading = _HEADING_LINE.search(text, first_end) if first_end != -1 else None
    dots = None
    if first_end != -1:  # YAML's end-of-document marker, above the body's first heading
        dots = _DOTS_LINE.search(text, first_end, heading.start() if heading else len(text))
    if dots is not None:
        line = text.count("\n", 0, dots.start()) + 1
        raise SourceError(
            line,
            "frontmatter.unclosed",
            f"the front matter opened on line 1 is closed with `...` on line {line}: use `---`",
        )
    where = ""
    if heading is not None:
        heading_line = text.count("\n", 0, heading.start()) + 1
        where = f", before line {heading_line} (`{heading.group().strip()[:60]}`) where the body starts"
    raise SourceError(
        1,
        "frontmatter.unclosed",
        f"the front matter opened on line 1 is never closed: add a `---` line after the last field{where}",
    )
