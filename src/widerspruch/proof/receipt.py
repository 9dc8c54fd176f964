"""The receipt: one printable PDF that says what was objected to, when, and how to check it.

It is built as an HTML page (inline CSS, the confirmation screenshot as a ``data:``
URI, nothing fetched from anywhere) in the objection's language, and printed to A4 by
the same Chromium with ``page.pdf``, which works only headless. It is written as
``receipt.pdf`` into the objection's bundle after the bundle was sealed, so it is not
in the manifest: its SHA-256 goes into the ledger as an attachment instead.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime, tzinfo
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from widerspruch import __version__
from widerspruch.errors import UsageError
from widerspruch.files import write_private
from widerspruch.ledger import Ledger, Objection
from widerspruch.logs import get_logger, mask_email
from widerspruch.proof.deadline import deadline_for, parse_time
from widerspruch.proof.evidence import MANIFEST, RESULT_PNG, sha256_file
from widerspruch.proof.receipt_text import BADGE, CSS, DATE, MONTHS, TEXT, TIME_SUFFIX
from widerspruch.proof.replies import StoredReply, stored_replies
from widerspruch.states import Status

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from widerspruch.browser import BrowserSession

# The words and style live in receipt_text; they stay importable from here.
__all__ = [
    "BADGE",
    "CSS",
    "MONTHS",
    "RECEIPT",
    "RECEIPTABLE",
    "RECEIPT_KIND",
    "TEXT",
    "ReceiptPrinter",
    "check_receiptable",
    "display_name",
    "footer_html",
    "headless_browser",
    "local_time",
    "long_date",
    "receipt_for",
    "receipt_html",
    "render_pdf",
    "write_receipt",
]

log = get_logger("widerspruch.proof.receipt")

RECEIPT = "receipt.pdf"
RECEIPT_KIND = "receipt"
# A receipt is for an objection that reached Meta, or may have.
RECEIPTABLE = frozenset(
    {
        Status.CONFIRMED,
        Status.CONFIRMED_BY_PERSON,
        Status.SUBMITTED_UNCONFIRMED,
        Status.SUBMITTING,
        Status.ACKNOWLEDGED,
        Status.REJECTED,
        Status.INFO_REQUESTED,
    }
)


def display_name(service: str) -> str:
    from widerspruch.services import get_flow

    try:
        return get_flow(service).display_name
    except UsageError:
        return service.capitalize()


# The receipt's texts are written for Meta's forms: another company's receipt names it
# instead (its flow's ``company``), also in the genitive ("Metas Seite").
_COMPANY = re.compile(r"\bMeta(?=s?\b)")


def texts(objection: Objection) -> dict[str, str]:
    """The receipt's texts in the objection's language, naming the service's company."""
    from widerspruch.services import company_of

    t = TEXT[objection.language if objection.language in TEXT else "en"]
    company = company_of(objection.service)
    if company == "Meta" or company == objection.service:
        return t
    return {key: _COMPANY.sub(company, text) for key, text in t.items()}


def long_date(day: date, language: str) -> str:
    """The day as a letter in `language` writes it ("3. Februar 2026", "3 de febrero de 2026")."""
    language = language if language in DATE else "en"
    month = MONTHS[language][day.month - 1]
    return DATE[language].format(day=day.day, month=month, year=day.year)


def local_time(moment: datetime, language: str, zone: tzinfo | None) -> tuple[str, str]:
    """The date and time where the person is, and that zone's offset (UTC+01:00)."""
    local = moment.astimezone(zone)
    offset = local.strftime("%z")
    offset = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    suffix = TIME_SUFFIX.get(language, "")
    return f"{long_date(local.date(), language)}, {local:%H:%M}{suffix}", offset


def _screenshot(folder: Path | None) -> str | None:
    if folder is None or not (folder / RESULT_PNG).is_file():
        return None
    encoded = base64.b64encode((folder / RESULT_PNG).read_bytes()).decode("ascii")
    return f"data:image/png;base64,{encoded}"


def receipt_html(
    objection: Objection,
    *,
    replies: list[StoredReply] | None = None,
    zone: tzinfo | None = None,
) -> str:
    """The receipt as one self-contained HTML page. `zone` is the "local" time zone.

    Plain prose in the objection's language, for the person and for an authority; the
    commands of widerspruch only in the help section at the end, marked as not part of
    the receipt. A demo record says so on every page, and nowhere that Meta has it.
    """
    language = objection.language if objection.language in TEXT else "en"
    t = texts(objection)
    replies = replies or []
    demo = objection.demo
    service = display_name(objection.service)
    sent = parse_time(objection.submitted_at or objection.updated_at)
    deadline = None if demo else deadline_for(objection)
    folder = Path(objection.evidence_dir) if objection.evidence_dir else None
    masked = mask_email(objection.account_email)
    status = objection.status

    when, offset = local_time(sent, language, zone)
    facts = [
        (t["service"], f'<span class="big">{escape(service)}</span>'),
        (
            t["account"],
            f'<span class="big">{escape(masked)}</span><br>'
            f'<span class="small">{t["full_address"]}:</span> '
            f"{escape(objection.account_email)}",
        ),
        (
            t["sent"],
            f"{escape(when)} "
            f'<span class="small">{t["local"]}, {offset}</span><br>'
            f"{sent.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC",
        ),
    ]
    if deadline is not None:
        facts.append(
            (
                t["deadline"],
                f"{escape(long_date(deadline, language))} "
                f'<span class="small">({t["deadline_note"]})</span>',
            )
        )
    facts += [
        (
            t["form"],
            escape(t["demo_form"]) if demo else f"<code>{escape(objection.form_url)}</code>",
        ),
        (t["country"], escape(_country(objection.country, language))),
        (
            t["template"],
            escape(
                f"{objection.template} v{objection.template_version}"
                if objection.template_version
                else t["own_text"]
            ),
        ),
    ]
    rows = "\n".join(f"<tr><th>{name}</th><td>{value}</td></tr>" for name, value in facts)
    reply_items = [
        f"<li><b>{escape(_reply_date(r, language, t))}</b>: {t['reply_' + r.status.value]}; "
        f"{t['reply_signed' if r.meta_signed else 'reply_unsigned']} "
        f"(<code>{escape(r.path.name)}</code>, SHA-256 <code>{r.sha256}</code>)</li>"
        for r in replies
    ]
    picture = _screenshot(folder)
    figure = (
        f'<figure><img src="{picture}" alt="{escape(t["page"])}"></figure>'
        if picture
        else f"<p>{t['no_page']}</p>"
    )
    where = f"{folder.parent.name}/{folder.name}" if folder else "-"
    manifest_hash = objection.manifest_sha256 or (
        sha256_file(folder / MANIFEST) if folder and (folder / MANIFEST).is_file() else "-"
    )
    replies_section = (
        f'<section><h2>{t["replies"]}</h2><ul class="replies">{"".join(reply_items)}</ul></section>'
        if reply_items
        else ""
    )
    badge = (
        f'<span class="badge demo">{t["demo_badge"]}</span>'
        if demo
        else f'<span class="badge {BADGE.get(status, "")}">{t[status]}</span>'
    )
    watermark = f'<div class="watermark">{t["demo_badge"]}</div>' if demo else ""
    what = _what_happened(objection, replies, t, language, service, masked, sent, deadline)
    return f"""<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<title>{"DEMO · " if demo else ""}{escape(t["kind"])} {objection.id}: {escape(service)}</title>
<style>{CSS}</style>
</head>
<body>
{watermark}
<div class="top">
  <div class="brand">widerspruch<span>{t["kind"]}</span></div>
  <div class="number">{t["number"]} <b>{objection.id}</b></div>
</div>
<h1>{t["title"]}</h1>
<p class="sub">{escape(service)} · {escape(masked)}</p>
{badge}
<table class="facts">
{rows}
</table>
<section>
<h2>{t["what"]}</h2>
{"".join(f"<p>{paragraph}</p>" for paragraph in what)}
</section>
{replies_section}
<section>
<h2>{t["text"]}</h2>
<blockquote>{escape(objection.justification)}</blockquote>
</section>
<section>
<h2>{t["page_demo"] if demo else t["page"]}</h2>
{figure}
</section>
<section>
<h2>{t["verify"]}</h2>
<p>{t["verify_1"].format(folder=escape(where))}</p>
<span class="hash">{escape(manifest_hash)}</span>
<p>{t["verify_2"]}</p>
</section>
{_help_section(objection, replies, t)}
</body>
</html>
"""


def _what_happened(
    objection: Objection,
    replies: list[StoredReply],
    t: dict[str, str],
    language: str,
    service: str,
    masked: str,
    sent: datetime,
    deadline: date | None,
) -> list[str]:
    """The paragraphs of "What was done": what was sent, what Meta's page said, where
    the reply stands (the newest one imported, or none yet), and Meta's month."""
    status = objection.status
    account = f"<b>{escape(masked)}</b>"
    sent_on = escape(long_date(sent.date(), language))
    if objection.demo:
        first = t["what_1_demo"].format(date=sent_on, service=escape(service), account=account)
        return [first, t["what_demo"]]
    first = t["what_1"].format(date=sent_on, service=escape(service), account=account)
    if status is Status.CONFIRMED_BY_PERSON:
        text = " ".join((objection.result_text or "").split())
        page = t["what_by_person"].format(text=escape(text))
    elif status.was_confirmed:
        page = t["what_confirmed"]
    else:
        page = t["what_unconfirmed"]
    on_page = status.was_confirmed or status is Status.CONFIRMED_BY_PERSON
    if replies:
        latest = replies[-1]
        date_text = escape(_reply_date(latest, language, t))
        reply = f"{t['replied_' + latest.status.value].format(date=date_text)} {t['replied_kept']}"
    else:
        reply = t["no_reply"] if on_page else t["no_reply_unconfirmed"]
    what = [first, f"{page} {reply}"]
    if deadline is not None:
        answered = bool(replies)
        key = "what_deadline_answered" if answered else "what_deadline"
        what.append(t[key].format(deadline=escape(long_date(deadline, language))))
    if replies and replies[-1].status is Status.REJECTED:
        what.append(t["what_rejected"])
    return what


def _help_section(objection: Objection, replies: list[StoredReply], t: dict[str, str]) -> str:
    """How to go on with widerspruch: apart, and marked as not part of the receipt."""
    number = objection.id
    if objection.demo:
        steps = ["help_verify", "help_real"]
    elif replies and replies[-1].status is Status.ACKNOWLEDGED:
        steps = ["help_verify", "help_receipt"]
    else:
        steps = ["help_verify", "help_confirm", "help_followup", "help_receipt"]
    items = "".join(f"<li>{t[step].format(id=number)}</li>" for step in steps)
    return (
        f'<section class="help"><h2>{t["help"]}</h2>'
        f'<p class="small">{t["help_note"]}</p><ul>{items}</ul></section>'
    )


def _country(code: str, language: str) -> str:
    from widerspruch.page.countries import country_name

    try:
        return f"{country_name(code, language)} ({code})"
    except UsageError:
        return code


def _reply_date(reply: StoredReply, language: str, t: dict[str, str]) -> str:
    if reply.date is None:
        return t["undated"]
    return long_date(reply.date.astimezone(UTC).date(), language)


def footer_html(objection: Objection, made: datetime) -> str:
    """Chromium's page footer: who made it, when, and the page number."""
    t = texts(objection)
    made_by = t["footer"].format(
        version=__version__, made=f"{made.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    )
    left = escape(f"{t['demo_badge']} · {made_by}" if objection.demo else made_by)
    right = t["page_of"].format(
        page='<span class="pageNumber"></span>', pages='<span class="totalPages"></span>'
    )
    return (
        '<div style="width:100%;margin:0 18mm;display:flex;justify-content:space-between;'
        "font:7.5pt Helvetica,Arial,'Liberation Sans','DejaVu Sans',sans-serif;color:#6b7588\">"
        f"<span>{left}</span><span>{right}</span></div>"
    )


def render_pdf(browser: Browser, html: str, footer: str) -> bytes:
    """Print `html` to A4 in a fresh context of a headless `browser`, offline."""
    context = browser.new_context(java_script_enabled=False)
    try:
        # Everything is inline; nothing may be fetched while printing.
        context.route("**/*", lambda route: route.abort())
        page = context.new_page()
        page.set_content(html, wait_until="load")
        return page.pdf(
            format="A4",
            print_background=True,
            prefer_css_page_size=True,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=footer,
        )
    finally:
        with suppress(Exception):
            context.close()


def check_receiptable(objection: Objection) -> Path:
    """The bundle folder to write into, or a UsageError saying why there is no receipt."""
    if objection.status not in RECEIPTABLE:
        raise UsageError(
            f"objection #{objection.id} was not sent ({objection.status.value}); "
            "there is nothing to give a receipt for"
        )
    if not objection.evidence_dir or not Path(objection.evidence_dir).is_dir():
        raise UsageError(f"objection #{objection.id} has no evidence bundle to put a receipt in")
    return Path(objection.evidence_dir)


def write_receipt(
    objection: Objection, ledger: Ledger, browser: Browser, *, made: datetime | None = None
) -> Path:
    """Render ``receipt.pdf`` into the bundle and record its SHA-256 in the ledger."""
    folder = check_receiptable(objection)
    made = made or datetime.now(UTC)
    html = receipt_html(objection, replies=stored_replies(ledger.attachments(objection.id)))
    path = folder / RECEIPT
    write_private(path, render_pdf(browser, html, footer_html(objection, made)))
    ledger.attach(objection.id, RECEIPT_KIND, str(path), sha256_file(path))
    log.info("receipt_written", objection=objection.id, path=str(path))
    return path


class ReceiptPrinter:
    """Writes receipts during a `submit` run; a failure is logged and never changes the outcome.

    It prints in the run's own browser when that one was launched headless. A headed
    browser, or one attached over CDP, cannot print: then a short-lived headless one is
    launched on first use, by the same Playwright, and closed with ``close()``.
    """

    def __init__(
        self, session: BrowserSession, *, headless: bool, browser_path: Path | None
    ) -> None:
        self.session = session
        self.headless = headless
        self.browser_path = browser_path
        self._own: Browser | None = None

    def _browser(self) -> Browser:
        if self.headless and not self.session.attached:
            return self.session.browser
        if self._own is None:
            from widerspruch.browser import LAUNCH_ARGS, find_browser

            chromium = self.session.playwright.chromium
            try:
                bundled: str | None = chromium.executable_path
            except Exception:  # noqa: BLE001 - not installed just means "look elsewhere"
                bundled = None
            self._own = chromium.launch(
                executable_path=str(find_browser(self.browser_path, bundled)),
                headless=True,
                args=list(LAUNCH_ARGS),
            )
        return self._own

    def write(self, objection: Objection, ledger: Ledger) -> Path | None:
        try:
            return write_receipt(objection, ledger, self._browser())
        except Exception as error:  # noqa: BLE001 - the objection stands without a receipt
            first = (str(error).strip().splitlines() or [type(error).__name__])[0]
            log.warning("receipt_failed", objection=objection.id, error=first)
            return None

    def close(self) -> None:
        if self._own is not None:
            with suppress(Exception):
                self._own.close()
            self._own = None


@contextmanager
def headless_browser(browser_option: str | None) -> Iterator[Browser]:
    """A headless browser of its own, found the way `submit` finds one."""
    from widerspruch.browser import open_browser
    from widerspruch.settings import check_browser_path

    with open_browser(browser_path=check_browser_path(browser_option), headless=True) as session:
        yield session.browser


def receipt_for(
    data_dir: Path, objection: Objection, browser_option: str | None, url: str | None = None
) -> Path:
    """`widerspruch receipt ID`: check first, then launch a browser and (re)write it
    (recorded in the shared ledger at `url`, if given)."""
    from playwright.sync_api import Error as PlaywrightError

    from widerspruch.failures import explain

    check_receiptable(objection)
    try:
        with (
            headless_browser(browser_option) as browser,
            Ledger.open(data_dir, url=url) as ledger,
        ):
            return write_receipt(ledger.get(objection.id), ledger, browser)
    except PlaywrightError as error:
        failure = explain(error)
        raise UsageError(f"the browser could not print the receipt: {failure.message}") from None
