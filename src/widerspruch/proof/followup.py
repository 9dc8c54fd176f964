"""Follow-ups when the controller does not answer, or refuses: a reminder to it, a
complaint draft.

The letters go to the controller the objection's flow declares (``Flow.controller``),
from its letter set: bundled files ``flows/letters/<set>/<kind>.<language>.txt``,
written for this project; a set may hold fewer languages than others. A file starts
with ``# key: value`` lines: its version and description, and the sentences that depend
on the record (whether the page confirmed, whether the deadline passed, what the
controller replied). The body and those sentences use ``{placeholders}`` filled from
the ledger; an unknown placeholder is an error.

A complaint goes to the data protection authority of the person's country (the table
below), or to the lead authority in the EU of the controllers widerspruch knows, the
Irish Data Protection Commission.

Every follow-up written is kept in the objection's folder (``reminder-1.txt``, ...),
recorded and sealed in the ledger as a file added later, so `widerspruch verify` checks
it with the rest of the archive.
"""

from __future__ import annotations

import hashlib
import json
import string
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING

from widerspruch import files
from widerspruch.errors import UsageError
from widerspruch.ledger import Attachment, Ledger, Objection
from widerspruch.proof.deadline import AWAITING_ANSWER, parse_time, standing
from widerspruch.proof.evidence import bundle_dir
from widerspruch.proof.receipt import RECEIPT_KIND, TEXT, display_name, long_date
from widerspruch.proof.replies import StoredReply, stored_replies
from widerspruch.services import FLOWS_PACKAGE, company_of, get_flow
from widerspruch.states import Status

if TYPE_CHECKING:
    from widerspruch.page.flow import Flow

KINDS = ("reminder", "complaint")
# The kind of a kept follow-up in the ledger's attachments (its detail says which).
FOLLOWUP_KIND = "followup"
LANGUAGES = ("de", "en", "es", "fr", "it", "nl", "pl", "pt")
# Where the letter sets are: one folder each in the flows package (``Flow.controller``).
LETTERS = "letters"
# Dates as each language writes them in a letter; English spells the month out.
NUMERIC_DATES = {
    "de": "%d.%m.%Y",
    "pl": "%d.%m.%Y",
    "nl": "%d-%m-%Y",
    **dict.fromkeys(("es", "fr", "it", "pt"), "%d/%m/%Y"),
}
PLACEHOLDERS = frozenset(
    {
        "service",
        "company",
        "controller",
        "controller_address",
        "account",
        "objection_id",
        "form_url",
        "submitted_date",
        "submitted_time",
        "deadline",
        "days_overdue",
        "days_left",
        "today",
        "manifest_sha256",
        "receipt_sha256",
        "reply_date",
        "reply_sha256",
        "justification",
        "authority",
        "authority_web",
        "page_sentence",
        "deadline_sentence",
        "reply_sentence",
        "receipt_sentence",
    }
)
VARIANTS = (
    "page-confirmed",
    "page-unconfirmed",
    "deadline-passed",
    "deadline-open",
    "reply-none",
    "reply-info",
    "reply-rejected",
    "receipt",
)


@dataclass(frozen=True)
class Authority:
    """A data protection authority a person can complain to."""

    country: str
    name: str
    web: str
    names: dict[str, str] = field(default_factory=dict)  # a name per language, if it differs

    def name_in(self, language: str) -> str:
        return self.names.get(language, self.name)


LEAD_AUTHORITY = Authority(
    "IE", "Data Protection Commission (DPC)", "https://www.dataprotection.ie"
)
AUTHORITIES = {
    authority.country: authority
    for authority in (
        # In Germany the authority of the Land handles complaints about companies; the
        # Federal Commissioner (BfDI) lists them all.
        Authority(
            "DE",
            "[the data protection authority of your Land]",
            "https://www.bfdi.bund.de",
            {
                "de": "[die Datenschutzaufsichtsbehörde Ihres Bundeslandes]",
                "es": "[la autoridad de protección de datos de su Land]",
                "fr": "[l'autorité de protection des données de votre Land]",
                "it": "[l'autorità di protezione dei dati del Suo Land]",
                "nl": "[de toezichthouder voor gegevensbescherming van uw deelstaat]",
                "pl": "[organ ochrony danych osobowych właściwego kraju związkowego]",
                "pt": "[a autoridade de proteção de dados do seu Land]",
            },
        ),
        Authority("AT", "Österreichische Datenschutzbehörde", "https://www.dsb.gv.at"),
        Authority(
            "FR",
            "Commission nationale de l'informatique et des libertés (CNIL)",
            "https://www.cnil.fr",
        ),
        LEAD_AUTHORITY,
        Authority("NL", "Autoriteit Persoonsgegevens", "https://www.autoriteitpersoonsgegevens.nl"),
        Authority(
            "IT", "Garante per la protezione dei dati personali", "https://www.garanteprivacy.it"
        ),
        Authority("ES", "Agencia Española de Protección de Datos (AEPD)", "https://www.aepd.es"),
        Authority(
            "BE",
            "Gegevensbeschermingsautoriteit (GBA) / Autorité de protection des données (APD)",
            "https://www.dataprotectionauthority.be",
            {
                "nl": "Gegevensbeschermingsautoriteit (GBA)",
                "fr": "Autorité de protection des données (APD)",
            },
        ),
        Authority(
            "LU",
            "Commission nationale pour la protection des données (CNPD)",
            "https://cnpd.public.lu",
        ),
        Authority("PL", "Prezes Urzędu Ochrony Danych Osobowych (UODO)", "https://uodo.gov.pl"),
        Authority("PT", "Comissão Nacional de Proteção de Dados (CNPD)", "https://www.cnpd.pt"),
    )
}
EDPB_MEMBERS = "https://www.edpb.europa.eu/about-edpb/about-edpb/members_en"


def authority_for(country: str) -> Authority:
    """The person's national authority if known here, else the lead authority."""
    return AUTHORITIES.get(country.upper(), LEAD_AUTHORITY)


@dataclass(frozen=True)
class FollowupTemplate:
    kind: str
    language: str
    version: str
    description: str
    body: str
    variants: dict[str, str]

    def check(self) -> None:
        for text in (self.body, *self.variants.values()):
            try:
                used = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            except ValueError as error:
                raise UsageError(
                    f"follow-up template {self.kind}.{self.language}: {error}"
                ) from None
            unknown = used - PLACEHOLDERS
            if unknown:
                raise UsageError(
                    f"follow-up template {self.kind}.{self.language} has unknown placeholder(s) "
                    + ", ".join("{" + name + "}" for name in sorted(unknown))
                )


def letter_file(letters: str, kind: str, language: str) -> Traversable:
    """The bundled file of one letter of the set `letters`."""
    return resources.files(FLOWS_PACKAGE).joinpath(LETTERS, letters, f"{kind}.{language}.txt")


def letter_languages(letters: str) -> tuple[str, ...]:
    """The languages the set `letters` has every kind of letter in, in ``LANGUAGES`` order."""
    return tuple(
        language
        for language in LANGUAGES
        if all(letter_file(letters, kind, language).is_file() for kind in KINDS)
    )


def load_template(
    kind: str, language: str, letters: str, company: str = "this controller"
) -> FollowupTemplate:
    """The `kind` letter in `language` from the set `letters` (``Flow.controller``); a
    UsageError naming the languages the set has if it has none in `language`."""
    if kind not in KINDS:
        raise UsageError(f"--kind: {kind!r} is not one of {', '.join(KINDS)}")
    if language not in LANGUAGES:
        raise UsageError(
            f"--language: no follow-up in {language!r}; available: {', '.join(LANGUAGES)}"
        )
    entry = letter_file(letters, kind, language)
    if not entry.is_file():
        has = letter_languages(letters)
        raise UsageError(
            f"--language: no follow-up letters to {company} in {language!r}; "
            f"available: {', '.join(has) if has else 'none'}"
        )
    lines = entry.read_text("utf-8").splitlines()
    header: dict[str, str] = {}
    while lines and lines[0].startswith("#"):
        key, _, value = lines.pop(0).lstrip("# ").partition(":")
        header[key.strip().lower()] = value.strip()
    template = FollowupTemplate(
        kind=kind,
        language=language,
        version=header.pop("version", "1"),
        description=header.pop("description", ""),
        body="\n".join(lines).strip() + "\n",
        variants={key: header.get(key, "") for key in VARIANTS},
    )
    template.check()
    return template


@dataclass(frozen=True)
class Followup:
    """A ready-to-send text, and hints for the person (printed apart from the text)."""

    kind: str
    language: str
    text: str
    hints: list[str]
    authority: Authority | None


def _latest(replies: list[StoredReply], status: Status) -> StoredReply | None:
    matching = [r for r in replies if r.status is status]
    return matching[-1] if matching else None


def _short(day: date, language: str) -> str:
    numeric = NUMERIC_DATES.get(language)
    return day.strftime(numeric) if numeric else long_date(day, language)


def default_kind(objection: Objection) -> str:
    """What to write when the person does not say: after a refusal a reminder changes
    nothing, so the complaint; otherwise the reminder."""
    return "complaint" if objection.status is Status.REJECTED else "reminder"


def check_followup(objection: Objection, kind: str) -> None:
    """A UsageError when this kind of follow-up makes no sense for the objection."""
    number = objection.id
    company = company_of(objection.service)
    if not objection.status.may_have_been_sent or objection.submitted_at is None:
        raise UsageError(
            f"objection #{number} was never sent ({objection.status.value}); "
            "send it first: `widerspruch submit`"
        )
    if objection.status is Status.ACKNOWLEDGED:
        raise UsageError(
            f"{company} acknowledged objection #{number}; there is nothing to remind "
            f"{company} of or to complain about (see `widerspruch log`)"
        )
    if kind == "reminder" and objection.status is Status.REJECTED:
        raise UsageError(
            f"{company} refused objection #{number}; a reminder will not change that. "
            f"Use --kind complaint"
        )


def write_followup(
    objection: Objection,
    attachments: list[Attachment],
    *,
    kind: str | None,
    language: str | None,
    now: datetime,
) -> Followup:
    """Fill the `kind` text for `objection` from the ledger, as of `now`; without a
    kind, the one its state calls for (``default_kind``)."""
    kind = kind or default_kind(objection)
    check_followup(objection, kind)
    flow = _flow(objection.service)
    controller, company = flow.controller, flow.company
    if language is None:
        has = letter_languages(controller.letters)
        fallback = "en" if "en" in has else (has[0] if has else "en")
        language = objection.language if objection.language in has else fallback
    template = load_template(kind, language, controller.letters, company)
    where = standing(objection, now)
    assert where.deadline is not None  # a sent objection has one
    assert objection.submitted_at is not None
    sent = parse_time(objection.submitted_at).astimezone(UTC)
    replies = stored_replies(attachments)
    receipts = [a for a in attachments if a.kind == RECEIPT_KIND]
    if objection.status is Status.REJECTED:
        reply, reply_key = _latest(replies, Status.REJECTED), "reply-rejected"
    elif objection.status is Status.INFO_REQUESTED:
        reply, reply_key = _latest(replies, Status.INFO_REQUESTED), "reply-info"
    else:
        reply, reply_key = None, "reply-none"
    authority = authority_for(objection.country) if kind == "complaint" else None
    values = {
        "service": display_name(objection.service),
        "company": company,
        "controller": controller.name,
        "controller_address": controller.address,
        "account": objection.account_email,
        "objection_id": str(objection.id),
        "form_url": objection.form_url,
        "submitted_date": _short(sent.date(), language),
        "submitted_time": f"{sent:%H:%M} UTC",
        "deadline": _short(where.deadline, language),
        "days_overdue": str(where.days_overdue),
        "days_left": str(where.days_left),
        "today": _short(now.astimezone(UTC).date(), language),
        "manifest_sha256": objection.manifest_sha256 or "-",
        "receipt_sha256": receipts[-1].sha256 if receipts else "-",
        "reply_date": _short(reply.date.astimezone(UTC).date(), language)
        if reply and reply.date
        else "-",
        "reply_sha256": reply.sha256 if reply else "-",
        "justification": objection.justification,
        "authority": authority.name_in(language) if authority else "",
        "authority_web": authority.web if authority else "",
    }
    variants = template.variants
    values["page_sentence"] = variants[
        "page-confirmed" if objection.status.was_confirmed else "page-unconfirmed"
    ].format(**values)
    passed = now.astimezone(UTC).date() > where.deadline
    values["deadline_sentence"] = variants["deadline-passed" if passed else "deadline-open"].format(
        **values
    )
    values["reply_sentence"] = variants[reply_key].format(**values)
    values["receipt_sentence"] = variants["receipt"].format(**values) if receipts else ""
    text = template.body.format(**values)
    text = "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
    if objection.demo:
        # A letter about a demo record must never pass for a real one.
        marker = TEXT[language]["demo_badge"]
        text = f"{marker}\n\n{text}\n{marker}\n"
    return Followup(
        kind=kind,
        language=language,
        text=text,
        hints=_hints(objection, kind, authority, passed, where.deadline, company),
        authority=authority,
    )


def _hints(
    objection: Objection,
    kind: str,
    authority: Authority | None,
    passed: bool,
    deadline: date,
    company: str,
) -> list[str]:
    hints = []
    if kind == "complaint" and objection.status is Status.REJECTED:
        hints.append(
            f"{company} refused objection #{objection.id}: this complaint asks the authority to "
            "look into the refusal."
        )
    if not passed and objection.status in AWAITING_ANSWER:
        hints.append(
            f"{company}'s month to answer runs until {deadline.isoformat()}; "
            f"a {kind} before then is early."
        )
    if kind == "reminder":
        centre = _privacy_centre(objection.service)
        hints.append(
            f"Send it as a reply to {company}'s email about the objection if you have one, "
            f"or through {company}'s contact options for data protection"
            + (f" ({centre})" if centre else "")
            + ". Keep a copy."
        )
    else:
        assert authority is not None
        if authority.country == "DE":
            hints.append(
                "In Germany, complaints about companies go to the data protection authority "
                "of your Land, not to the Federal Commissioner (BfDI): pick yours from the "
                "list at https://www.bfdi.bund.de and put its name and address in the brackets."
            )
        elif authority.country != objection.country.upper():
            hints.append(
                f"Addressed to {company}'s lead authority, the Irish DPC. You may also complain "
                f"to the authority where you live: {EDPB_MEMBERS}"
            )
        hints.append(
            f"Fill in your name and address in the brackets, then file it with "
            f"{'that authority' if authority.name.startswith('[') else authority.name} "
            f"({authority.web}); most authorities take complaints through an online form. "
            "Attach receipt.pdf, and the evidence folder when they ask for it."
        )
    return hints


def _flow(service: str) -> Flow:
    """The flow of `service`, for whom its letters go to; a UsageError if widerspruch no
    longer knows it."""
    try:
        return get_flow(service)
    except UsageError:
        raise UsageError(
            f"widerspruch no longer knows the service {service!r}: it has no follow-up letters"
        ) from None


def _privacy_centre(service: str) -> str:
    """Where the service lets a person write to its company (its flow's ``privacy_centre_url``),
    or "" for a service widerspruch no longer knows."""
    try:
        return get_flow(service).privacy_centre_url
    except UsageError:
        return ""


def write_private(path: Path, text: str) -> None:
    """Write `text` where the person asked (``--output``), readable by the owner only."""
    path = path.expanduser()
    try:
        files.write_private(path, text, atomic=False)
    except OSError as error:
        raise UsageError(f"--output: cannot write {path} ({error.strerror or error})") from None


def _kept(ledger: Ledger, objection_id: int, digest: str) -> Path | None:
    """The file of a follow-up with this SHA-256 kept for the objection before, if any."""
    for added in ledger.attachments(objection_id):
        if added.kind == FOLLOWUP_KIND and added.sha256 == digest:
            return Path(added.path)
    return None


def keep_followup(
    data_dir: Path, objection: Objection, followup: Followup, url: str | None = None
) -> Path:
    """Keep `followup` in the objection's folder as ``<kind>-<n>.txt``, owner-only, and
    record and seal its SHA-256 in the ledger. The same text kept before is not kept
    twice: its file is returned. A UsageError if it cannot be written."""
    data = followup.text.encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    folder = (
        Path(objection.evidence_dir)
        if objection.evidence_dir
        else bundle_dir(data_dir, objection.id, objection.service)
    )
    with Ledger.open(data_dir, url=url, read_only=True) as ledger:  # kept already: no lock
        kept = _kept(ledger, objection.id, digest)
    if kept is not None:
        return kept
    with Ledger.open(data_dir, url=url) as ledger:
        kept = _kept(ledger, objection.id, digest)  # by another run, meanwhile
        if kept is not None:
            return kept
        try:
            folder.mkdir(parents=True, exist_ok=True)
            number = 1
            while (folder / f"{followup.kind}-{number}.txt").exists():
                number += 1
            path = files.write_private(
                folder / f"{followup.kind}-{number}.txt", data, exclusive=True
            )
        except OSError as error:
            raise UsageError(
                f"cannot keep the {followup.kind} in {folder} ({error.strerror or error})"
            ) from None
        detail = {"kind": followup.kind, "language": followup.language}
        ledger.attach(objection.id, FOLLOWUP_KIND, path, digest, detail=json.dumps(detail))
    return path
