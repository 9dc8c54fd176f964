"""Scheduled rechecks: is each service's objection form still there, and unchanged?

`widerspruch check` opens every service's official form URL headless, all services at
once in one browser, each in a context of its own, and says what it found:

``form_ok``         the form, with every control the flow needs (the AI question if
                    the form asks it, country if shown, email, justification, Send);
``login_required``  Meta's login wall: what a browser without a saved session meets;
``form_changed``    the form, but a control the flow needs is missing or renamed;
``moved``           redirected to a page that is not the form, or to another site;
``unavailable``     Meta's "This content isn't available", or HTTP 404 / 410;
``error``           no network, no answer in time, or Meta's error page;
``no_form``         (watched services, no form yet) no objection offered yet;
``form_found``      (watched services) a page now offers an objection: the link.

Pages are read by the flows' own ``detect`` and ``locate_form``, the code `submit` uses,
run on async pages through ``widerspruch.page.syncbridge``. A check never sends anything: it
only declines optional cookies (the one POST it lets through) and answers the AI
question with yes to reveal the form; every other POST is blocked.

Every result is recorded in the ledger's check history, with the final URL, the page's
language and the HTTP status; for an anomaly also a screenshot and the page's HTML
(scripts and hidden values removed) in ``<data dir>/checks/<service>/``. A change of
state is announced once, after it has held for ``alert_after`` consecutive checks, on
the terminal and by ``--notify-cmd`` / ``--webhook``, both with one JSON document, and
by ``--apprise`` (the optional apprise package) as a short text to any service it knows.

Where each part lives (this module only re-exports):

``results``  the states, `CheckResult`, `Alert`, `Delivery`, `CheckReport`,
             `CheckSettings` with its option checks, and the services there are;
``run``      `run_check`, `check_services` (the async run over all services), `record`;
``probe``    `Probe`: opening a page, settling, reading it, keeping it to reading;
``judge``    judging a form or watched pages, and saving the evidence of an anomaly;
``alerts``   `decide` (which changes to announce) and `alert_document`;
``notify``   `notify`: the command, the webhook and Apprise;
``timeline`` `history`: the recorded timeline per service.

The command line prints reports and history (``widerspruch.cli.render_check``).
"""

from __future__ import annotations

from widerspruch.check.results import (
    EXPECTED,
    CheckResult,
    CheckSettings,
    CheckState,
    target_for,
)
from widerspruch.check.run import check_services, record, run_check
from widerspruch.check.timeline import history

__all__ = [
    "EXPECTED",
    "CheckResult",
    "CheckSettings",
    "CheckState",
    "check_services",
    "history",
    "record",
    "run_check",
    "target_for",
]
