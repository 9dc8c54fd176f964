"""`submit --also-setting`: after the objection, switch off the service's own setting
(``Flow.setting``) in the same browser, with a screenshot before and after.

Only ever on the person's word (the option), and never silently: the person is told
what the switch showed before and after, both screenshots are attached to the
objection in the ledger with their SHA-256, and a note records the change. Whatever
happens here never changes the objection's outcome.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from widerspruch.logs import get_logger
from widerspruch.proof.evidence import Evidence, sha256_file
from widerspruch.text import first_line

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from widerspruch.ledger import Ledger, Objection
    from widerspruch.page.flow import Flow
    from widerspruch.submit.person import Person

log = get_logger("widerspruch.submit")

BEFORE_PNG = "setting_before.png"
AFTER_PNG = "setting_after.png"
BEFORE_KIND = "setting_before"
AFTER_KIND = "setting_after"


def shown(on: bool | None) -> str:
    return "not shown" if on is None else ("on" if on else "off")


def switch_setting_off(
    flow: Flow,
    page: Page,
    *,
    ledger: Ledger,
    objection: Objection,
    person: Person,
    evidence: Evidence,
    timeout: float,
) -> bool | None:
    """Switch `flow`'s setting off on `page`; what it shows afterwards (None: unknown)."""
    from playwright.sync_api import Error as PlaywrightError

    setting = flow.setting
    if setting is None:
        return None
    where = f"{flow.display_name}: “{setting.name}”"
    try:
        page.goto(setting.url, wait_until="domcontentloaded", timeout=timeout * 1000)
        page.get_by_role("switch").or_(page.get_by_role("checkbox")).first.wait_for(
            timeout=timeout * 1000
        )
        before = setting.read(flow.view(page))
        if before is None:
            raise LookupError("the settings page shows no such switch")
        _attach(ledger, objection, evidence, page, BEFORE_PNG, BEFORE_KIND, before)
        if before:
            setting.switch_off(page, flow.view(page))
        after = setting.read(flow.view(page))
        _attach(ledger, objection, evidence, page, AFTER_PNG, AFTER_KIND, after)
    except (PlaywrightError, LookupError) as error:
        why = first_line(error)
        log.warning("setting_failed", service=flow.service, error=why)
        ledger.note(objection.id, "setting", f"{setting.name}: not switched off ({why})")
        person.tell(f"{where} was not switched off: {why}; switch it off at {setting.url}")
        return None
    change = f"{setting.name}: {shown(before)} before, {shown(after)} after"
    ledger.note(objection.id, "setting", change)
    log.info("setting", service=flow.service, before=shown(before), after=shown(after))
    pictures = f"screenshots {evidence.folder / BEFORE_PNG}, {evidence.folder / AFTER_PNG}"
    if after is False:
        done = "is now off" if before else "was off already"
        person.tell(f"{where} {done} ({pictures})")
    else:
        person.tell(f"{where} still shows {shown(after)}: check it at {setting.url} ({pictures})")
    return after


def _attach(
    ledger: Ledger,
    objection: Objection,
    evidence: Evidence,
    page: Page,
    name: str,
    kind: str,
    on: bool | None,
) -> None:
    path = evidence.screenshot(page, name)
    ledger.attach(objection.id, kind, str(path), sha256_file(path), detail=shown(on))
