"""`asyncio.run`, stopped by SIGTERM the way Ctrl-C stops it.

On Ctrl-C, asyncio cancels the main task: every ``finally`` runs, so the browser is
closed in order, and then ``KeyboardInterrupt`` is raised. A SIGTERM handler that raises
an exception inside the running event loop skips all that: tasks are destroyed while
pending and the browser connection is torn down mid-call, with tracebacks on stderr.
Here SIGTERM cancels the main task too, whatever Ctrl-C is set to (a job started in the
background ignores SIGINT).
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Coroutine
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")


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

        previous = signal.signal(signal.SIGTERM, stop)
        try:
            return await main
        finally:
            signal.signal(signal.SIGTERM, previous)

    try:
        result = asyncio.run(guarded())
    except asyncio.CancelledError:
        if stopped:
            raise KeyboardInterrupt from None
        raise
    if stopped:  # it came as the run ended: still a stop
        raise KeyboardInterrupt
    return result
