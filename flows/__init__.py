"""The registry of flows: one module per service, listed here explicitly."""

from __future__ import annotations

from widerspruch.errors import UsageError
from widerspruch.flow import Flow
from widerspruch.flows.facebook import FacebookFlow
from widerspruch.flows.instagram import InstagramFlow
from widerspruch.flows.whatsapp import WhatsAppWatch
from widerspruch.watch import Watch

FLOWS: dict[str, type[Flow]] = {flow.service: flow for flow in (FacebookFlow, InstagramFlow)}
# Services without an objection form, watched by `widerspruch check` until one appears.
WATCHES: dict[str, type[Watch]] = {watch.service: watch for watch in (WhatsAppWatch,)}


class UnknownService(UsageError):
    pass


def get_flow(service: str) -> Flow:
    try:
        return FLOWS[service.lower()]()
    except KeyError:
        raise UnknownService(
            f"unknown service {service!r}; known: {', '.join(FLOWS)}"
            + (" (WhatsApp has no objection form yet)" if service.lower() == "whatsapp" else "")
        ) from None
