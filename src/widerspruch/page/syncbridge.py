"""Run the flows' synchronous page code on pages of Playwright's async API.

The flows read and act on pages with Playwright's sync API (``flow.detect(page)``,
``flow.locate_form(page)``), which is what `submit` uses. `check` opens every service at
once in one browser, which needs the async API. Rather than write the flows twice, this
module runs their sync code unchanged inside an asyncio task:

- ``await run_sync(function, *args)`` runs `function` in a greenlet of its own;
- the arguments are wrapped in ``SyncView``: a view of an async Playwright object whose
  methods look synchronous. When the code calls one that returns a coroutine, the greenlet
  hands the coroutine to the task, which awaits it and hands back the result.

So many sync flows run concurrently, each in its own task, on one event loop. (Playwright's
own sync API is built the same way, on greenlets.) Callbacks passed through a view, such
as a route handler, are run the same way, so ``ReplayServer.attach`` works on async
contexts too.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import greenlet  # type: ignore[import-untyped]  # no stubs; Playwright depends on it

T = TypeVar("T")


class _Bridge(greenlet.greenlet):  # type: ignore[misc]  # untyped base class
    """A greenlet running sync code for an asyncio task."""


class _Pending:
    """Something the sync code waits for; the task awaits it on its behalf."""

    def __init__(self, awaitable: Awaitable[Any]) -> None:
        self.awaitable = awaitable


async def run_sync(function: Callable[..., T], *args: Any) -> T:
    """Run sync page code in the current task; async Playwright calls inside are awaited."""
    child = _Bridge(function)
    step = child.switch(*args)
    while not child.dead:
        assert isinstance(step, _Pending)
        try:
            value = await step.awaitable
        except BaseException as error:  # noqa: BLE001 - handed back to the sync code
            step = child.throw(error)
        else:
            step = child.switch(value)
    result: T = step
    return result


def wait(awaitable: Awaitable[T]) -> T:
    """Inside `run_sync`: block this sync code until the task has awaited `awaitable`."""
    current = greenlet.getcurrent()
    if not isinstance(current, _Bridge):
        raise RuntimeError("wait() works only inside run_sync()")
    result: T = current.parent.switch(_Pending(awaitable))
    return result


def _is_playwright(value: object) -> bool:
    return type(value).__module__.startswith("playwright.async_api")


def view(value: Any) -> Any:
    """`value` as sync code sees it: Playwright objects become `SyncView`s."""
    if _is_playwright(value):
        return SyncView(value)
    if isinstance(value, list):
        return [view(item) for item in value]
    return value


def _unview(value: Any) -> Any:
    """`value` as Playwright needs it: the object behind a view, async callbacks."""
    if isinstance(value, SyncView):
        return object.__getattribute__(value, "_target")
    if inspect.isfunction(value) or inspect.ismethod(value):
        return _async_callback(value)
    # Handles inside the argument of an `evaluate` (a list of elements, a dict of them).
    if isinstance(value, list | tuple):
        return type(value)(_unview(item) for item in value)
    if isinstance(value, dict):
        return {key: _unview(item) for key, item in value.items()}
    return value


def _async_callback(callback: Callable[..., Any]) -> Callable[..., Any]:
    async def run(*args: Any) -> Any:
        return await run_sync(callback, *(view(arg) for arg in args))

    # Playwright passes a handler as many arguments as its signature takes.
    run.__signature__ = inspect.signature(callback)  # type: ignore[attr-defined]
    return run


class SyncView:
    """An async Playwright object (page, locator, context, route...) with a sync face."""

    __slots__ = ("_target",)

    def __init__(self, target: Any) -> None:
        object.__setattr__(self, "_target", target)

    def __getattr__(self, name: str) -> Any:
        value = getattr(object.__getattribute__(self, "_target"), name)
        if not (inspect.ismethod(value) or inspect.isfunction(value)):
            return view(value)

        def call(*args: Any, **kwargs: Any) -> Any:
            result = value(*map(_unview, args), **{k: _unview(v) for k, v in kwargs.items()})
            if inspect.isawaitable(result):
                result = wait(result)
            return view(result)

        return call

    def __repr__(self) -> str:
        return f"SyncView({object.__getattribute__(self, '_target')!r})"
