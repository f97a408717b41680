"""Run one function in a forked child while this process does something else.

A build has two cores and MkDocs uses one: the plugin's own work that does
not depend on the rest (half of the generated pages, most postmortem pages'
composition) can run beside it. The child inherits everything by `fork`
(nothing to import, nothing to pickle on the way in) and streams its result
back pickled through a pipe.

Whatever goes wrong in the child (an exception, a crash, no fork on this
platform, no memory to fork) the work is simply done here when its result is
asked for: `fallback()` if one was given, else `fn()` again. The result is
the same, only later, and an exception is raised in this process, where the
build reports it. Only fork while this process has one thread: a forked child
gets a copy of every lock, held or not.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterator
from typing import BinaryIO, Generic, TypeVar

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX (nor is fork)
    fcntl = None  # type: ignore[assignment]

T = TypeVar("T")


class Forked(Generic[T]):
    """`fn()` computed in a child process; `result()` waits for it."""

    def __init__(self, fn: Callable[[], T], *, fork: bool = True, fallback: Callable[[], T] | None = None) -> None:
        self._fn = fallback or fn
        self._pid = 0
        self._read = -1
        started = _fork(lambda out: pickle.dump(fn(), out, protocol=pickle.HIGHEST_PROTOCOL)) if fork else None
        if started is not None:
            self._pid, self._read = started

    def result(self) -> T:
        """The child's result, or the work done here if the child did not deliver it."""
        if self._pid:
            pid, delivered = self._pid, False
            try:
                with os.fdopen(self._read, "rb") as source:
                    try:
                        value = pickle.load(source)  # noqa: S301 - our own child's bytes, read as they come
                        delivered = True
                    except Exception:  # noqa: BLE001 - truncated: the child failed on the way
                        pass
            except BaseException:  # Ctrl-C while waiting: end the child, leave no zombie
                self._pid = 0
                _end(pid)
                raise
            self._pid = 0
            if _reaped(pid) == 0 and delivered:
                return value
        return self._fn()

    def cancel(self) -> None:
        """Stop waiting: end the child (if any) without reading its result."""
        if self._pid:
            pid, self._pid = self._pid, 0
            os.close(self._read)  # a child still writing gets a broken pipe and leaves
            _end(pid)


def _fork(send: Callable[[BinaryIO], None], *, pipe_bytes: int = 0) -> tuple[int, int] | None:
    """Fork a child that runs `send(pipe)` and leaves; (its pid, the pipe's reading end) here.

    None when there is no child (no fork on this platform, no memory for one):
    the caller then does the work itself. The child leaves without running this
    process's exit handlers, with status 0 only if `send` returned.
    """
    if not hasattr(os, "fork"):
        return None
    read, write = os.pipe()
    if pipe_bytes and fcntl is not None and hasattr(fcntl, "F_SETPIPE_SZ"):  # Linux only
        try:
            fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, pipe_bytes)
        except OSError:  # above the system's limit: the default size works
            pass
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError:  # no memory for it, too many processes
        os.close(read)
        os.close(write)
        return None
    if pid == 0:
        _in_child(parent)
        os.close(read)
        status = 1
        try:
            with os.fdopen(write, "wb") as out:
                send(out)
            status = 0
        except BaseException:  # noqa: BLE001 - the parent does the work itself
            pass
        finally:
            os._exit(status)
    os.close(write)
    return pid, read


def _end(pid: int) -> None:
    """Kill the child and reap it."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    _reaped(pid)


def _in_child(parent: int) -> None:
    """First thing in a child: no garbage collection, and no life after the parent.

    No collections: they would write to every object inherited from the parent
    and so copy its memory page by page (a child that allocates a lot turns
    them back on after `gc.freeze()`).

    A parent killed by a signal only it receives (a CI timeout's SIGTERM, the
    out-of-memory killer) runs no cleanup: on Linux the child is then killed
    too, instead of writing into a site folder the next build may be using.
    """
    gc.disable()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent was gone before that took effect
        os._exit(1)


def _reaped(pid: int) -> int:
    """Wait for the child; its exit status (-1 if someone else reaped it)."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return -1
    return status


# A pipe holds 64 KB by default: about one page. A larger one lets a child that
# streams run ahead of the parent instead of waiting for it to read.
_STREAM_PIPE_BYTES = 1 << 20


class ForkedStream(Generic[T]):
    """The items of `items()` computed in a child process, read here one at a time.

    The child sends each item as soon as it has it, so this process can use the
    first ones while the child works on the next. If the child fails on the way,
    `next()` returns None from there on: the caller does the missing work itself.
    """

    def __init__(self, items: Callable[[], Iterator[T]], *, fork: bool = True) -> None:
        self._pid = 0
        self._source: BinaryIO | None = None
        def send(out: BinaryIO) -> None:
            for item in items():
                pickle.dump(item, out, protocol=pickle.HIGHEST_PROTOCOL)
                out.flush()

        started = _fork(send, pipe_bytes=_STREAM_PIPE_BYTES) if fork else None
        if started is not None:
            self._pid, self._source = started[0], os.fdopen(started[1], "rb")

    def next(self) -> T | None:
        """The child's next item; None once it has sent everything, or failed."""
        if self._source is None:
            return None
        try:
            return pickle.load(self._source)  # noqa: S301 - our own child's bytes
        except Exception:  # noqa: BLE001 - the end, or a child that failed on the way
            self.cancel()
            return None

    def cancel(self) -> None:
        """Stop reading and end the child (if it is still at work)."""
        source, self._source = self._source, None
        if source is not None:
            source.close()
        if self._pid:
            pid, self._pid = self._pid, 0
            _end(pid)
