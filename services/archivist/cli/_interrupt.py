"""Ctrl-C and SIGTERM for the commands that run their work in this process.

The first signal asks the command to stop: it sets an event that the command's wait watches,
so the command settles what it started and says what is left. A second one exits at once, for
a user who will not wait for that. A command that blocks outside its work (``submit`` reading
URLs from a pipe) marks its work as steps instead: a signal during a step lets the step end,
and one outside any step raises :class:`Stopped` where the command waits.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["StopRequest", "Stopped", "stop_on_signals"]

#: The signals a user or a supervisor stops a command with.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stopped(Exception):
    """A stop signal came while the command waited outside its steps (see :meth:`StopRequest.step`)."""


class StopRequest:
    """Whether a stop signal came (``event``), and which one first (``signum``)."""

    def __init__(self, *, raise_outside_steps: bool = False) -> None:
        self.event = threading.Event()
        self.signum: int | None = None
        self._raise_outside_steps = raise_outside_steps
        self._in_step = False

    @contextmanager
    def step(self) -> Iterator[None]:
        """A piece of work the first signal must not cut (a chunk written and queued): the
        signal is noted and the block runs to its end; the caller checks ``event`` after it."""
        self._in_step = True
        try:
            yield
        finally:
            self._in_step = False

    @property
    def exit_code(self) -> int:
        """The status shells give a process ended by the signal: 128 + its number (130, 143)."""
        assert self.signum is not None
        return 128 + self.signum

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        if self.signum is not None:
            # os.write, not print: a handler may run while the main thread is inside a print.
            # A progress bar hides the terminal's cursor until it ends, which it will not now.
            show_cursor = "\x1b[?25h" if os.isatty(sys.stderr.fileno()) else ""
            os.write(sys.stderr.fileno(), f"{show_cursor}{signal.Signals(signum).name} again: exiting now\n".encode())
            os._exit(128 + signum)
        self.signum = signum
        self.event.set()
        if self._raise_outside_steps and not self._in_step:
            raise Stopped(signal.Signals(signum).name)


@contextmanager
def stop_on_signals(*, raise_outside_steps: bool = False) -> Iterator[StopRequest]:
    """Turn SIGINT and SIGTERM into a :class:`StopRequest` while the block runs (main thread only).

    With ``raise_outside_steps``, a signal outside :meth:`StopRequest.step` raises
    :class:`Stopped` in the main thread, ending a blocking read that would otherwise resume.
    """
    request = StopRequest(raise_outside_steps=raise_outside_steps)
    previous = {signum: signal.signal(signum, request._handle) for signum in STOP_SIGNALS}
    try:
        yield request
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
