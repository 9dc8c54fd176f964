"""SIGTERM, stopping a run the way Ctrl-C does: the one place widerspruch handles it.

systemd and ``kill`` send SIGTERM. Whatever the run is doing, it must end the way
Ctrl-C ends it, so that every ``finally`` runs and the ledger stays truthful (nothing
sent, or "Meta may have it"). Two kinds of run, two ways:

``sigterm_as(interrupt)``
    For plain (synchronous) code: inside the block, SIGTERM raises `interrupt`, a
    ``KeyboardInterrupt`` (every handler for Ctrl-C runs) or a subclass of it such as
    ``Terminated``, for a caller that must tell the two apart (`widerspruch batch` asks
    what to do after Ctrl-C, but stops at once on SIGTERM).
``run_stoppable(main)``
    For ``asyncio``: on Ctrl-C, asyncio cancels the main task, so every ``finally`` runs
    and the browser is closed in order, and then ``KeyboardInterrupt`` is raised. A SIGTERM
    handler that raises an exception inside the running event loop skips all that: tasks
    are destroyed while pending and the browser connection is torn down mid-call, with
    tracebacks on stderr. Here SIGTERM cancels the main task too, whatever Ctrl-C is set
    to (a job started in the background ignores SIGINT).

Both put the previous handler back afterwards, and change nothing outside the main
thread: signals reach only the main thread.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, NoReturn, TypeVar

T = TypeVar("T")


class Terminated(KeyboardInterrupt):
    """SIGTERM, told apart from Ctrl-C: stop at once, without asking."""


@contextmanager
def sigterm_as(interrupt: type[KeyboardInterrupt] = KeyboardInterrupt) -> Iterator[None]:
    """Inside the block, SIGTERM raises `interrupt` where the program is."""

    def handler(signum: int, frame: FrameType | None) -> NoReturn:
        raise interrupt

    with _on_sigterm(handler):
        yield


def run_stoppable(main: Coroutine[Any, Any, T]) -> T:
    """Run `main` to the end; on SIGTERM cancel it, then raise KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        return asyncio.run(main)  # signals reach the main thread only
    stopped: list[int] = []

    async def guarded() -> T:
        loop, task = asyncio.get_running_loop(), asyncio.current_task()
        assert task is not None

        def stop(signum: int, frame: FrameType | None) -> None:
            stopped.append(signum)
            loop.call_soon_threadsafe(task.cancel)

        with _on_sigterm(stop):
            return await main

    try:
        result = asyncio.run(guarded())
    except asyncio.CancelledError:
        if stopped:
            raise KeyboardInterrupt from None
        raise
    if stopped:  # it came as the run ended: still a stop
        raise KeyboardInterrupt
    return result


@contextmanager
def _on_sigterm(handler: Callable[[int, FrameType | None], Any]) -> Iterator[None]:
    """`handler` for SIGTERM inside the block, the previous one back after it."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal.signal works in the main thread only
        return
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
