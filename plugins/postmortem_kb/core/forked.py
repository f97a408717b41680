"""Run one function in a forked child while this process does something else.

A build has two cores and MkDocs uses one: the plugin's own work that does
not depend on the rest (half of the generated pages) can run beside it. The
child inherits everything by `fork` (nothing to import, nothing to pickle on
the way in) and sends its result back pickled through a pipe.

Whatever goes wrong in the child (an exception, a crash, no fork on this
platform, no memory to fork) the function simply runs again here when its
result is asked for: the result is the same, only later, and an exception is
raised in this process, where the build reports it. Only fork while this
process has one thread: a forked child gets a copy of every lock, held or not.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Forked(Generic[T]):
    """`fn()` computed in a child process; `result()` waits for it."""

    def __init__(self, fn: Callable[[], T], *, fork: bool = True) -> None:
        self._fn = fn
        self._pid = 0
        self._read = -1
        if not fork or not hasattr(os, "fork"):
            return
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no memory for it, too many processes: run it here later
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the child: compute, send, leave without running the parent's exit handlers
            os.close(read)
            status = 1
            try:
                data = pickle.dumps(fn(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as out:
                    out.write(data)
                status = 0
            except BaseException:  # noqa: BLE001 - reported by the parent, which runs fn again
                pass
            finally:
                os._exit(status)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> T:
        """The child's result, or `fn()` computed here if the child did not deliver one."""
        if self._pid:
            pid, self._pid = self._pid, 0
            with os.fdopen(self._read, "rb") as source:
                data = source.read()
            _, status = os.waitpid(pid, 0)
            if status == 0 and data:
                try:
                    return pickle.loads(data)  # noqa: S301 - our own child's bytes
                except Exception:  # noqa: BLE001 - a truncated result: compute it here
                    pass
        return self._fn()

    def cancel(self) -> None:
        """Stop waiting: end the child (if any) without reading its result."""
        if self._pid:
            pid, self._pid = self._pid, 0
            os.close(self._read)  # a child still writing gets a broken pipe and leaves
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
