"""The registry of flows: one module per service, listed here explicitly.

A new service is one module here (a `Flow` subclass, or a `Watch` while it has no form)
and one entry below, plus its replicas in ``fixtures/<service>/``. A flow names its
replicas in ``replica_cases``: (replica name, the ``PageState`` it must be read as)
pairs, which tests/test_page_states.py runs in every language the replica exists in.
What Meta's services share (who runs them, its own mail domains, the help centre's
replicas) is in ``_meta.py``.
"""

from __future__ import annotations

from widerspruch.services import Registry

from .facebook import FacebookFlow
from .instagram import InstagramFlow
from .linkedin import LinkedInFlow
from .meta_third_party import MetaThirdPartyFlow
from .whatsapp import WhatsAppFlow, WhatsAppWatch

REGISTRY = Registry(
    flows=(FacebookFlow, InstagramFlow, MetaThirdPartyFlow, LinkedInFlow),
    # Services without an objection form, watched by `widerspruch check` until one appears.
    watches=(WhatsAppWatch,),
    # Written from reports of a form nobody has seen: not offered until `check` finds it.
    pending=(WhatsAppFlow,),
)
