"""SIGTERM and SIGINT during a run: stop at once, after the STATE of what is complete.

singer-sdk's own handler writes the state and exits 0, as if the run had succeeded. During
a run the tap's handler instead sets the run's stop event (workers stop waiting, retrying and
backing off at once) and raises :class:`Stopped` in the writer, which writes the STATE of the
partitions finished so far and exits non-zero (128 + the signal number).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


class Stopped(BaseException):
    """A signal asked the run to stop (BaseException: no ``except Exception`` swallows it)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.signal_name = signal.Signals(signum).name
        super().__init__(f"stopped by {self.signal_name}")


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Within the block, SIGTERM/SIGINT set ``stop`` and raise :class:`Stopped`."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def handle(signum: int, _frame: FrameType | None) -> None:
        stop.set()
        raise Stopped(signum)

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
