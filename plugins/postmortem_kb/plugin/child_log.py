"""Issue 6: what a forked child logs, kept and logged again by the parent.

A child's log lines must not reach the terminal from the child (they would
interleave, and a strict build counts warnings in the parent only). The child
keeps them as records; the parent hands each to its logger when the work it
belongs to is used, so a warning is shown once and counted.
"""

from __future__ import annotations

import logging


class Capture(logging.Handler):
    """Keeps log records, made picklable (message formatted, no arguments or traceback object)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args, record.exc_info = record.getMessage(), None, None
        self.records.append(record)

    def take(self) -> list[logging.LogRecord]:
        """The records kept since the last call."""
        records, self.records = self.records, []
        return records


def capture_in_child() -> Capture:
    """In a forked child: MkDocs' log goes to a `Capture` only (call once, in the child)."""
    capture = Capture()
    logger = logging.getLogger("mkdocs")
    logger.handlers, logger.propagate = [capture], False
    return capture


def replay(records: list[logging.LogRecord]) -> None:
    """Log a child's records here, through the loggers they were made for."""
    for record in records:
        logging.getLogger(record.name).handle(record)
