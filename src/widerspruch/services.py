"""The services widerspruch knows, as listed by the registry in ``widerspruch.flows``.

The rest of widerspruch asks here and never names a service: adding one is a new file in
``flows/`` and a line in its ``REGISTRY``. The flows package is loaded on first use, so
that ``--help`` stays light.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from widerspruch.errors import UsageError

if TYPE_CHECKING:
    from widerspruch.page.flow import Flow
    from widerspruch.page.watch import Watch

FLOWS_PACKAGE = "widerspruch.flows"


class UnknownService(UsageError):
    pass


@dataclass(frozen=True)
class Registry:
    """Every service's flow, in the order the person sees them, and the watched services
    (no objection form yet, see `Watch`). A flow in `pending` is written from reports of
    a form nobody has seen yet: it is not offered (``submit`` says so) until `check`
    has found the real form and it moves to `flows`. It may share its name with the
    watch that looks for that form."""

    flows: tuple[type[Flow], ...]
    watches: tuple[type[Watch], ...] = ()
    pending: tuple[type[Flow], ...] = ()

    def __post_init__(self) -> None:
        for group in ((*self.flows, *self.watches), (*self.flows, *self.pending)):
            names = [service.service for service in group]
            if len(names) != len(set(names)):
                raise ValueError(f"a service is listed twice in the registry: {names}")

    @property
    def flows_by_name(self) -> dict[str, type[Flow]]:
        return {flow.service: flow for flow in self.flows}

    @property
    def watches_by_name(self) -> dict[str, type[Watch]]:
        return {watch.service: watch for watch in self.watches}

    def flow(self, name: str) -> Flow:
        """A fresh flow for the service called `name` (any case)."""
        try:
            return self.flows_by_name[name.lower()]()
        except KeyError:
            raise UnknownService(self._unknown(name)) from None

    def target(self, name: str) -> Flow:
        """The flow or watch for `name`: what `check` visits."""
        found = self.flows_by_name.get(name.lower()) or self.watches_by_name.get(name.lower())
        if found is None:
            raise UnknownService(self._unknown(name, among=self.names(watched=True)))
        return found()

    def names(self, *, watched: bool = False) -> tuple[str, ...]:
        """The services one can object on, and with `watched` the watched ones after them."""
        watches = tuple(self.watches_by_name) if watched else ()
        return (*self.flows_by_name, *watches)

    def domains(self) -> tuple[str, ...]:
        """Every host any service's pages may come from, each once (a leading ``.``: the
        domain and its subdomains; see ``Flow.hosts``)."""
        return tuple(dict.fromkeys(host for f in (*self.flows, *self.watches) for host in f.hosts))

    def mail_domains(self) -> tuple[str, ...]:
        """Every domain any service's mail may come from, each once, in the registry's
        order; subdomains count too (see ``Flow.mail_domains``)."""
        return tuple(
            dict.fromkeys(domain for f in (*self.flows, *self.watches) for domain in f.mail_domains)
        )

    def detail_keys(self) -> tuple[str, ...]:
        """The key of every detail an offered flow's form asks for (`Flow.details`), each
        once: the options of `submit` and the columns of a members file."""
        return tuple(dict.fromkeys(d.key for flow in self.flows for d in flow.details))

    def _unknown(self, name: str, among: Iterable[str] | None = None) -> str:
        known = ", ".join(among if among is not None else self.names())
        waiting = {flow.service: flow for flow in self.pending}.get(name.lower())
        if waiting is not None and among is None:
            return (
                f"{waiting.display_name} has no known objection form yet (`widerspruch check "
                f"{waiting.service}` watches for one); known: {known}"
            )
        watched = self.watches_by_name.get(name.lower())
        if watched is not None and among is None:
            return (
                f"{watched.display_name} has no objection form yet (`widerspruch check "
                f"{watched.service}` watches for one); known: {known}"
            )
        return f"unknown service {name!r}; known: {known}"


@cache
def registry() -> Registry:
    """The registry of ``widerspruch.flows``, loaded once."""
    found = getattr(importlib.import_module(FLOWS_PACKAGE), "REGISTRY", None)
    if not isinstance(found, Registry):
        raise TypeError(f"{FLOWS_PACKAGE}.REGISTRY must be a widerspruch.services.Registry")
    return found


def get_flow(name: str) -> Flow:
    """A fresh flow for the service called `name`; `UnknownService` if there is none."""
    return registry().flow(name)


def needs(flow: type[Flow]) -> str:
    """What objecting on `flow` takes, in a line for help texts: a login or none, and
    the options its form needs (`Flow.details`)."""
    options = ["--email", "--country"]
    options += [f"--{d.key}" + ("" if d.required else " (optional)") for d in flow.details]
    login = "you log in to it" if flow.needs_login else "no login, no account needed"
    return f"{login}; {', '.join(options)}"


def services_needs_text() -> str:
    """Every service, one a line, with what it needs; the pending ones last."""
    found = registry()
    lines = [f"{flow.service}: {needs(flow)}" for flow in found.flows]
    lines += [f"{flow.service}: no known form yet" for flow in found.pending]
    return "\n".join(lines)


def company_of(service: str) -> str:
    """Who answers objections on `service` (its flow's ``company``), for messages about
    an earlier objection; the service's own name if no flow is called that any more."""
    found = registry()
    for flow in (*found.flows, *found.pending):
        if flow.service == service:
            return flow.company
    return service


def service_names(*, watched: bool = False) -> tuple[str, ...]:
    return registry().names(watched=watched)


def known_services_text(*, watched: bool = False) -> str:
    """The services' names, joined by commas, for help texts and errors."""
    return ", ".join(service_names(watched=watched))
