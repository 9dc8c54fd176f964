"""What Meta's services have in common: not a flow, a part the flows are made of."""

from widerspruch.page.flow import Controller
from widerspruch.states import PageState

# Who runs the services below and answers their objections (``Flow.company``).
META = "Meta"
# The controller of the data of Meta's services in the EU, and its letters
# (flows/letters/meta/): ``Flow.controller``.
META_CONTROLLER = Controller(
    name="Meta Platforms Ireland Limited",
    address="Merrion Road, Dublin 4, D04 X2K5, Ireland",
    letters="meta",
)

# Meta's own domains: its mail about any service may come from them.
META_MAIL_DOMAINS = ("fb.com", "meta.com", "metamail.com")

# The replicas each Meta help-centre form has in fixtures/<service>/ (one file per
# language, ``<name>.<language>.html``), and the state each must be read as: a flow's
# ``replica_cases``, which tests/test_page_states.py turns into tests.
HELP_CENTRE_REPLICAS: tuple[tuple[str, PageState], ...] = (
    ("cookie_banner", PageState.COOKIE_BANNER),
    ("login", PageState.LOGIN_WALL),
    ("checkpoint", PageState.CHECKPOINT),
    ("ai_question", PageState.AI_QUESTION),
    ("form_2025", PageState.FORM),
    ("form_2024", PageState.FORM),
    ("form_variant", PageState.FORM),
    ("code_step", PageState.CODE_STEP),
    ("confirmation", PageState.CONFIRMATION),
    ("error", PageState.ERROR),
    ("unavailable", PageState.UNAVAILABLE),
)
