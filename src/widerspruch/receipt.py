"""The receipt: one printable PDF that says what was objected to, when, and how to check it.

It is built as an HTML page (inline CSS, the confirmation screenshot as a ``data:``
URI, nothing fetched from anywhere) in the objection's language, and printed to A4 by
the same Chromium with ``page.pdf``, which works only headless. It is written as
``receipt.pdf`` into the objection's bundle after the bundle was sealed, so it is not
in the manifest: its SHA-256 goes into the ledger as an attachment instead.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime, tzinfo
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from widerspruch import __version__
from widerspruch.deadline import deadline_for, parse_time
from widerspruch.errors import UsageError
from widerspruch.evidence import MANIFEST, RESULT_PNG, sha256_file
from widerspruch.ledger import Ledger, Objection
from widerspruch.logs import get_logger, mask_email
from widerspruch.replies import StoredReply, stored_replies
from widerspruch.states import Status

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from widerspruch.browser import BrowserSession

log = get_logger("widerspruch.receipt")

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

MONTHS = {
    "de": (
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}

TEXT: dict[str, dict[str, str]] = {
    "de": {
        "kind": "Empfangsbeleg",
        "number": "Widerspruch Nr.",
        "title": "Widerspruch gegen die Nutzung für KI",
        "service": "Dienst",
        "account": "Konto",
        "full_address": "vollständige Adresse",
        "sent": "Gesendet",
        "local": "Ortszeit",
        "deadline": "Antwortfrist",
        "deadline_note": "ein Monat, Art. 12 Abs. 3 DSGVO",
        "form": "Formular",
        "country": "Wohnsitzland",
        "template": "Text",
        "own_text": "eigener Text",
        "what": "Was geschehen ist",
        "what_1": (
            "Am {date} wurde über das offizielle Formular von Meta Widerspruch nach "
            "<b>Art. 21 Abs. 1 DSGVO</b> dagegen eingelegt, dass Meta die Informationen des "
            "{service}-Kontos {account} für die Entwicklung und Verbesserung von KI "
            "verwendet. Meta stützt diese Verarbeitung auf sein „berechtigtes Interesse“ "
            "(<b>Art. 6 Abs. 1 lit. f DSGVO</b>). Dagegen darf jede betroffene Person "
            "widersprechen; danach darf Meta die Daten nicht mehr dafür verarbeiten, es sei "
            "denn, es weist zwingende schutzwürdige Gründe nach, die überwiegen."
        ),
        "what_confirmed": (
            "Meta hat den Eingang auf der Seite bestätigt (Bild unten) und kündigt eine "
            "Bestätigung per E-Mail an."
        ),
        "what_unconfirmed": (
            "Das Formular wurde abgeschickt, eine Bestätigung von Meta war aber nicht zu "
            "sehen. Ob der Widerspruch angekommen ist, zeigt erst Metas E-Mail."
        ),
        "what_by_person": (
            "Das Formular wurde abgeschickt und Meta hat geantwortet, aber nicht eindeutig. "
            "Die Person hat die Antwort angesehen und beurteilt, dass Meta den Widerspruch "
            "angenommen hat: Das ist ihre Einschätzung, keine Bestätigung von Meta. Die "
            "Seite zeigte: „{text}“"
        ),
        "what_deadline": (
            "Nach <b>Art. 12 Abs. 3 DSGVO</b> muss Meta innerhalb eines Monats antworten, "
            "hier also bis zum <b>{deadline}</b>. Metas E-Mail kommt mit "
            "<code>widerspruch confirm {id} --eml DATEI</code> in die Akte; bleibt sie aus, "
            "schreibt <code>widerspruch followup {id}</code> eine Erinnerung an Meta oder "
            "eine Beschwerde an die Datenschutzaufsicht."
        ),
        "replies": "Antworten von Meta",
        "reply_acknowledged": "Meta bestätigt den Widerspruch",
        "reply_rejected": "Meta lehnt den Widerspruch ab",
        "reply_info_requested": "Meta bittet um weitere Angaben",
        "undated": "ohne Datum",
        "text": "Der gesendete Text",
        "page": "Metas Seite nach dem Senden",
        "no_page": "Von dieser Seite gibt es kein Bildschirmfoto.",
        "verify": "So lässt sich der Beleg prüfen",
        "verify_1": (
            "Alle Nachweise liegen im Datenordner von widerspruch unter "
            "<code>{folder}</code>: Bildschirmfotos vor und nach dem Senden, Metas Seite als "
            "HTML, die gesendeten Formularfelder und die Umstände. <code>manifest.json</code> "
            "verzeichnet die SHA-256-Prüfsumme jeder Datei; seine eigene Prüfsumme steht im "
            "Ledger und hier:"
        ),
        "verify_2": (
            "<code>widerspruch verify {id}</code> rechnet alle Prüfsummen nach und meldet "
            "„intact“, oder nennt jede geänderte oder fehlende Datei."
        ),
        "footer": "Erstellt mit widerspruch {version} am {made}",
        "page_of": "Seite {page} von {pages}",
        Status.CONFIRMED: "Von Meta auf der Seite bestätigt",
        Status.CONFIRMED_BY_PERSON: "Von der Person als angenommen beurteilt",
        Status.SUBMITTED_UNCONFIRMED: "Gesendet, ohne Bestätigung auf der Seite",
        Status.SUBMITTING: "Vielleicht gesendet, ohne Bestätigung",
        Status.ACKNOWLEDGED: "Von Meta per E-Mail bestätigt",
        Status.REJECTED: "Von Meta abgelehnt",
        Status.INFO_REQUESTED: "Meta bittet um weitere Angaben",
    },
    "en": {
        "kind": "Receipt",
        "number": "Objection no.",
        "title": "Objection to use for AI",
        "service": "Service",
        "account": "Account",
        "full_address": "full address",
        "sent": "Sent",
        "local": "local time",
        "deadline": "Reply due",
        "deadline_note": "one month, Art. 12(3) GDPR",
        "form": "Form",
        "country": "Country",
        "template": "Text",
        "own_text": "own text",
        "what": "What was done",
        "what_1": (
            "On {date}, an objection under <b>Art. 21(1) GDPR</b> was filed through Meta's "
            "official form against Meta using the information of the {service} account "
            "{account} to develop and improve AI. Meta bases this processing on its "
            "“legitimate interests” (<b>Art. 6(1)(f) GDPR</b>). Anyone may object to such "
            "processing; Meta must then stop it unless it demonstrates compelling legitimate "
            "grounds that override the person's interests."
        ),
        "what_confirmed": (
            "Meta confirmed receipt on the page (picture below) and said it would confirm by email."
        ),
        "what_unconfirmed": (
            "The form was sent, but no confirmation from Meta was seen. Meta's email will "
            "show whether the objection arrived."
        ),
        "what_by_person": (
            "The form was sent and Meta answered, but not clearly. The person looked at the "
            "answer and judged that Meta accepted the objection: this is their judgement, "
            "not Meta's confirmation. The page said: “{text}”"
        ),
        "what_deadline": (
            "Under <b>Art. 12(3) GDPR</b> Meta must answer within one month, here by "
            "<b>{deadline}</b>. Meta's email goes into the record with "
            "<code>widerspruch confirm {id} --eml FILE</code>; if none comes, "
            "<code>widerspruch followup {id}</code> writes a reminder to Meta or a complaint "
            "to the data protection authority."
        ),
        "replies": "Meta's replies",
        "reply_acknowledged": "Meta acknowledges the objection",
        "reply_rejected": "Meta refuses the objection",
        "reply_info_requested": "Meta asks for more information",
        "undated": "undated",
        "text": "The text sent",
        "page": "Meta's page after sending",
        "no_page": "There is no screenshot of this page.",
        "verify": "How to check this receipt",
        "verify_1": (
            "All evidence is in widerspruch's data dir under <code>{folder}</code>: "
            "screenshots before and after sending, Meta's page as HTML, the form fields "
            "sent and the circumstances. <code>manifest.json</code> lists the SHA-256 of "
            "every file; its own SHA-256 is in the ledger, and here:"
        ),
        "verify_2": (
            "<code>widerspruch verify {id}</code> recomputes every hash and says “intact”, "
            "or names each file that changed or is missing."
        ),
        "footer": "Made with widerspruch {version} on {made}",
        "page_of": "Page {page} of {pages}",
        Status.CONFIRMED: "Confirmed by Meta on the page",
        Status.CONFIRMED_BY_PERSON: "Judged accepted by the person",
        Status.SUBMITTED_UNCONFIRMED: "Sent, no confirmation seen",
        Status.SUBMITTING: "Possibly sent, no confirmation seen",
        Status.ACKNOWLEDGED: "Acknowledged by Meta by email",
        Status.REJECTED: "Refused by Meta",
        Status.INFO_REQUESTED: "Meta asks for more information",
    },
}
BADGE = {
    Status.CONFIRMED: "ok",
    Status.ACKNOWLEDGED: "ok",
    Status.REJECTED: "bad",
}

CSS = """
@page { size: A4; margin: 16mm 18mm 20mm 18mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: #1d2433; font: 10pt/1.5 "Helvetica Neue", Helvetica, Arial,
       "Liberation Sans", "DejaVu Sans", sans-serif; }
.top { display: flex; justify-content: space-between; align-items: baseline;
       border-bottom: 2.5pt solid #1e4d78; padding-bottom: 2.5mm; }
.brand { font-weight: 700; letter-spacing: .02em; color: #1e4d78; font-size: 11pt; }
.brand span { color: #6b7588; font-weight: 400; margin-left: 2mm; text-transform: uppercase;
              letter-spacing: .12em; font-size: 8pt; }
.number { color: #6b7588; font-size: 9pt; }
.number b { color: #1d2433; font-size: 11pt; }
h1 { font: 600 21pt/1.2 Georgia, "Liberation Serif", "DejaVu Serif", serif;
     margin: 7mm 0 1.5mm; color: #14233a; }
.sub { font-size: 12pt; color: #3c4659; margin: 0 0 4mm; }
.badge { display: inline-block; padding: 1.2mm 3.5mm; border-radius: 10mm; font-weight: 700;
         font-size: 9.5pt; background: #fff4d6; color: #7a5200; border: .6pt solid #e8c66a; }
.badge.ok { background: #e3f4e8; color: #1d6b38; border-color: #9fd3ae; }
.badge.bad { background: #fbe4e4; color: #9b1c1c; border-color: #eea9a9; }
.badge::before { content: "●"; margin-right: 1.8mm; font-size: 8pt; }
.badge.ok::before { content: "✓"; font-size: 10pt; }
table.facts { width: 100%; border-collapse: collapse; margin: 6mm 0 2mm; }
.facts th { width: 34mm; text-align: left; vertical-align: top; font-weight: 600;
            color: #6b7588; font-size: 8.5pt; text-transform: uppercase; letter-spacing: .06em;
            padding: 2.2mm 4mm 2.2mm 0; }
.facts td { padding: 2mm 0; vertical-align: top; }
.facts tr + tr th, .facts tr + tr td { border-top: .5pt solid #dde2ea; }
.facts .big { font-size: 12pt; font-weight: 600; }
.facts .small { color: #6b7588; font-size: 9pt; }
h2 { font-size: 9pt; text-transform: uppercase; letter-spacing: .12em; color: #1e4d78;
     margin: 6mm 0 2mm; padding-bottom: 1mm; border-bottom: .5pt solid #c9d3e0; }
p { margin: 0 0 2.2mm; }
section { break-inside: avoid; }
blockquote { margin: 0; padding: 3mm 4mm; background: #f5f7fa; border-left: 2pt solid #1e4d78;
             font-size: 9.5pt; white-space: pre-wrap; }
figure { margin: 0; text-align: center; }
figure img { max-width: 100%; max-height: 88mm; border: .5pt solid #c9d3e0; border-radius: 1mm; }
code, .hash { font-family: "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace;
              font-size: 8.5pt; }
.hash { display: block; margin: 1mm 0 2.5mm; padding: 2.5mm 4mm; background: #f5f7fa;
        border: .5pt solid #c9d3e0; border-radius: 1mm; font-size: 10pt; letter-spacing: .04em;
        word-break: break-all; }
ul.replies { margin: 0; padding-left: 5mm; }
"""


def display_name(service: str) -> str:
    from widerspruch.flows import get_flow

    try:
        return get_flow(service).display_name
    except UsageError:
        return service.capitalize()


def long_date(day: date, language: str) -> str:
    month = MONTHS.get(language, MONTHS["en"])[day.month - 1]
    return f"{day.day}. {month} {day.year}" if language == "de" else f"{day.day} {month} {day.year}"


def local_time(moment: datetime, language: str, zone: tzinfo | None) -> tuple[str, str]:
    """The date and time where the person is, and that zone's offset (UTC+01:00)."""
    local = moment.astimezone(zone)
    offset = local.strftime("%z")
    offset = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    suffix = " Uhr" if language == "de" else ""
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
    """The receipt as one self-contained HTML page. `zone` is the "local" time zone."""
    language = objection.language if objection.language in TEXT else "en"
    t = TEXT[language]
    service = display_name(objection.service)
    sent = parse_time(objection.submitted_at or objection.updated_at)
    deadline = deadline_for(objection)
    folder = Path(objection.evidence_dir) if objection.evidence_dir else None
    masked = mask_email(objection.account_email)
    status = objection.status
    confirmed = status.was_confirmed

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
        (t["form"], f"<code>{escape(objection.form_url)}</code>"),
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
    account = f"<b>{escape(masked)}</b>"
    what = [
        t["what_1"].format(
            date=escape(long_date(sent.date(), language)), service=escape(service), account=account
        ),
        t["what_by_person"].format(text=escape(" ".join((objection.result_text or "").split())))
        if status is Status.CONFIRMED_BY_PERSON
        else t["what_confirmed"]
        if confirmed
        else t["what_unconfirmed"],
    ]
    if deadline is not None:
        what.append(
            t["what_deadline"].format(
                deadline=escape(long_date(deadline, language)), id=objection.id
            )
        )
    reply_items = [
        f"<li><b>{escape(_reply_date(r, language, t))}</b>: {t['reply_' + r.status.value]} "
        f"(<code>{escape(r.path.name)}</code>, SHA-256 <code>{r.sha256}</code>)</li>"
        for r in replies or []
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
    return f"""<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<title>{escape(t["kind"])} {objection.id}: {escape(service)}</title>
<style>{CSS}</style>
</head>
<body>
<div class="top">
  <div class="brand">widerspruch<span>{t["kind"]}</span></div>
  <div class="number">{t["number"]} <b>{objection.id}</b></div>
</div>
<h1>{t["title"]}</h1>
<p class="sub">{escape(service)} · {escape(masked)}</p>
<span class="badge {BADGE.get(status, "")}">{t[status]}</span>
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
<h2>{t["page"]}</h2>
{figure}
</section>
<section>
<h2>{t["verify"]}</h2>
<p>{t["verify_1"].format(folder=escape(where))}</p>
<span class="hash">{escape(manifest_hash)}</span>
<p>{t["verify_2"].format(id=objection.id)}</p>
</section>
</body>
</html>
"""


def _country(code: str, language: str) -> str:
    from widerspruch.countries import country_name

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
    language = objection.language if objection.language in TEXT else "en"
    t = TEXT[language]
    left = escape(
        t["footer"].format(version=__version__, made=f"{made.astimezone(UTC):%Y-%m-%d %H:%M} UTC")
    )
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


def _write_private(path: Path, data: bytes) -> None:
    """Owner-only, and replaced in one step: a half-written receipt never stays behind."""
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)
    os.replace(partial, path)


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
    _write_private(path, render_pdf(browser, html, footer_html(objection, made)))
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


def receipt_for(data_dir: Path, objection: Objection, browser_option: str | None) -> Path:
    """`widerspruch receipt ID`: check first, then launch a browser and (re)write it."""
    from playwright.sync_api import Error as PlaywrightError

    check_receiptable(objection)
    try:
        with headless_browser(browser_option) as browser, Ledger.open(data_dir) as ledger:
            return write_receipt(ledger.get(objection.id), ledger, browser)
    except PlaywrightError as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise UsageError(f"the browser could not print the receipt: {first}") from None
