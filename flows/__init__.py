"""The registry of flows: one module per service, listed here explicitly."""

from __future__ import annotations

from widerspruch.errors import UsageError
from widerspruch.flow import Flow
from widerspruch.flows.facebook import FacebookFlow
from widerspruch.flows.instagram import InstagramFlow

FLOWS: dict[str, type[Flow]] = {flow.service: flow for flow in (FacebookFlow, InstagramFlow)}


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
