"""The members file of a batch: read and check it whole, before any browser opens.

A members file is CSV (comma, semicolon or tab separated, with a header row) or JSON (a
list of objects, or ``{"members": [...]}``), one member per row:

``member_id``, ``email``, ``country``, ``mandate_ref``
    required: the NGO's member number, the account's email address, the ISO country
    code, and the NGO's reference to the member's written authorisation;
``language``, ``services``, ``template``
    optional: the justification's language (default: from the country, as in
    `submit`), the services for this member (overrides ``--services``), and the
    justification template (overrides ``--template``);
``name``, ``where``, ``phone``, …
    the details some service's form asks for (`Flow.details`, the options of the same
    name on `submit`), where a member's services need them.

Every problem of every row is reported at once, each with its line number. The checks
are the ones `submit` makes on its options (widerspruch.settings, widerspruch.page.countries,
widerspruch.flows, widerspruch.submit.justification), so a row passes here exactly when the
same values would pass on the command line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from widerspruch.errors import UsageError

if TYPE_CHECKING:
    from widerspruch.settings import Settings
    from widerspruch.submit.justification import Template

REQUIRED = ("member_id", "email", "country", "mandate_ref")
OPTIONAL = ("language", "services", "template")


def columns() -> tuple[str, ...]:
    """Every column a members file may have: the fixed ones, then the details the
    services' forms ask for."""
    from widerspruch.services import registry

    return REQUIRED + OPTIONAL + registry().detail_keys()


MAX_ID_CHARS = 100


@dataclass(frozen=True)
class Member:
    """One checked row: everything needed to object for this member."""

    line: int
    member_id: str
    email: str
    country: str
    language: str
    services: tuple[str, ...]
    template: str
    mandate_ref: str
    # The details the member's forms ask for (`Flow.details`), by key.
    details: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class BadRow:
    """A row that cannot go ahead, with every reason why."""

    line: int
    member_id: str
    email: str
    services: str
    problems: tuple[str, ...]

    def describe(self) -> str:
        who = f" (member {self.member_id})" if self.member_id else ""
        return f"line {self.line}{who}: {'; '.join(self.problems)}"


@dataclass
class MembersFile:
    path: Path
    sha256: str
    members: list[Member] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)

    def refuse_bad_rows(self) -> None:
        """UsageError listing every bad row, unless there are none."""
        if not self.bad_rows:
            return
        if len(self.bad_rows) == 1:
            raise UsageError(
                f"{self.path.name} {self.bad_rows[0].describe()}; nothing was started. Fix the "
                "file, or go on without this row with --skip-invalid"
            )
        count = len(self.bad_rows)
        lines = [
            f"{self.path.name}: {count} bad row{'s' if count > 1 else ''}; nothing was "
            "started. Fix the file, or go on without them with --skip-invalid:",
            *(f"  {bad.describe()}" for bad in self.bad_rows),
        ]
        raise UsageError("\n".join(lines))


def parse_services(value: str | list[Any] | None) -> list[str]:
    """Service names separated by commas, semicolons or spaces (`a,b`, `a b`), or a JSON
    list: the names, lower case."""
    if value is None:
        return []
    parts = value if isinstance(value, list) else re.split(r"[,;\s]+", value)
    return [str(part).strip().lower() for part in parts if str(part).strip()]


def load_members(
    path: Path, *, services: tuple[str, ...], template: str, data_dir: Path | None = None
) -> MembersFile:
    """Read and check the whole file. File-level problems (unreadable, not UTF-8, a
    missing or unknown column, malformed JSON, no rows) are a UsageError at once; bad
    rows are collected in `bad_rows` for the caller to refuse or record."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"members file not found: {path}") from None
    except OSError as error:
        raise UsageError(f"cannot read the members file {path}: {error.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise UsageError(
            f"{path.name} is not UTF-8 text (line {line} has the byte "
            f"0x{raw[error.start]:02x}); save it as UTF-8 (in a spreadsheet: CSV UTF-8)"
        ) from None
    rows = _json_rows(path, text) if _looks_like_json(path, text) else _csv_rows(path, text)
    if not rows:
        raise UsageError(f"{path.name} lists no members")
    found = MembersFile(path=path, sha256=hashlib.sha256(raw).hexdigest())
    first_line: dict[str, int] = {}
    first_email: dict[str, tuple[int, str]] = {}
    for line, row in rows:
        problems, member = _check_row(row, line, services, template, data_dir)
        member_id = _text(row.get("member_id"))
        email = _text(row.get("email"))
        if member_id:
            if member_id in first_line:
                problems.append(
                    f"duplicate member {member_id} (also on line {first_line[member_id]})"
                )
            else:
                first_line[member_id] = line
        if email and "@" in email:
            key = email.casefold()
            if key in first_email and first_email[key][1] != member_id:
                other_line, other_id = first_email[key]
                problems.append(
                    f"duplicate member: the same email address as member {other_id} "
                    f"on line {other_line}"
                )
            first_email.setdefault(key, (line, member_id))
        if problems or member is None:
            found.bad_rows.append(
                BadRow(
                    line=line,
                    member_id=member_id,
                    email=email,
                    services=",".join(parse_services(_raw_services(row))) or ",".join(services),
                    problems=tuple(problems),
                )
            )
        else:
            found.members.append(member)
    return found


def _looks_like_json(path: Path, text: str) -> bool:
    if path.suffix.lower() == ".json":
        return True
    if path.suffix.lower() in (".csv", ".tsv", ".txt"):
        return False
    return text.lstrip()[:1] in ("[", "{")


def _json_rows(path: Path, text: str) -> list[tuple[int, dict[str, Any]]]:
    """Each member object with the line it starts on."""
    decoder = json.JSONDecoder()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"{path.name} line {error.lineno}: not valid JSON ({error.msg})") from None
    if isinstance(document, dict) and isinstance(document.get("members"), list):
        start = text.index("[", text.index('"members"'))
    elif isinstance(document, list):
        start = text.index("[")
    else:
        raise UsageError(f'{path.name}: expected a list of members, or {{"members": [...]}}')
    rows: list[tuple[int, dict[str, Any]]] = []
    position = start + 1
    while True:
        position = _skip(text, position, " \t\r\n,")
        if text[position] == "]":
            break
        value, end = decoder.raw_decode(text, position)
        line = text.count("\n", 0, position) + 1
        if not isinstance(value, dict):
            raise UsageError(f"{path.name} line {line}: each member must be an object {{...}}")
        rows.append((line, value))
        position = end
    unknown = sorted({key for _, row in rows for key in row} - set(columns()))
    if unknown:
        raise UsageError(
            f"{path.name}: unknown field(s) {', '.join(unknown)}; known: {', '.join(columns())}"
        )
    return rows


def _skip(text: str, position: int, chars: str) -> int:
    while position < len(text) and text[position] in chars:
        position += 1
    return position


def _csv_rows(path: Path, text: str) -> list[tuple[int, dict[str, Any]]]:
    header_line = text.split("\n", 1)[0]
    # A spreadsheet in German or French saves with ";", some with tabs.
    delimiter = max(",;\t", key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise UsageError(f"{path.name} is empty") from None
    unknown = [name for name in header if name and name not in columns()]
    missing = [name for name in REQUIRED if name not in header]
    problems = []
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)}")
    if problems:
        raise UsageError(
            f"{path.name} line 1: {'; '.join(problems)}. The header row needs "
            f"{', '.join(REQUIRED)} and may have {', '.join(columns()[len(REQUIRED) :])}"
        )
    rows: list[tuple[int, dict[str, Any]]] = []
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue  # a blank line
            row: dict[str, Any] = dict(zip(header, record, strict=False))
            if len(record) != len(header):
                row["_fields"] = f"{len(record)} fields, but the header has {len(header)}"
            rows.append((line, row))
    except csv.Error as error:
        raise UsageError(f"{path.name} line {reader.line_num}: {error}") from None
    return rows


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _raw_services(row: dict[str, Any]) -> str | list[Any] | None:
    value = row.get("services")
    return value if isinstance(value, list) else _text(value) or None


def _check_row(
    row: dict[str, Any],
    line: int,
    default_services: tuple[str, ...],
    default_template: str,
    data_dir: Path | None,
) -> tuple[list[str], Member | None]:
    from widerspruch.page.countries import normalise_country
    from widerspruch.services import get_flow
    from widerspruch.settings import check_details, check_email, default_language
    from widerspruch.submit.justification import languages

    problems: list[str] = []
    if "_fields" in row:
        problems.append(str(row["_fields"]))
    values = {name: _text(row.get(name)) for name in columns() if name != "services"}
    for name in REQUIRED:
        if not values[name]:
            problems.append(f"missing {name}")
    if len(values["member_id"]) > MAX_ID_CHARS:
        problems.append(f"member_id longer than {MAX_ID_CHARS} characters")
    email = values["email"]
    if email:
        try:
            email = check_email(email)
        except UsageError:
            problems.append(f"bad email {email!r}")
            email = ""
    country = values["country"]
    if country:
        try:
            country = normalise_country(country)
        except UsageError as error:
            problems.append(str(error))
            country = ""
    language = values["language"].lower()
    if language and language not in languages():
        problems.append(f"no justification in language {language!r} ({', '.join(languages())})")
        language = ""
    services: list[str] = []
    for name in parse_services(_raw_services(row)) or list(default_services):
        try:
            services.append(get_flow(name).service)
        except UsageError as error:
            problems.append(str(error))
    if not services and not any("unknown service" in p for p in problems):
        problems.append("no services: fill in the services column, or give --services")
    template = values["template"] or default_template
    details: tuple[tuple[str, str], ...] = ()
    try:
        given = {key: values[key] for key in columns() if key not in REQUIRED + OPTIONAL}
        details = check_details([get_flow(s) for s in services], given, option="{}")
    except UsageError as error:
        problems.append(str(error))
    if problems or not (email and country):
        return problems, None
    language = language or default_language(country)
    problems += _template_problems(template, language, email, country, tuple(services), data_dir)
    if problems:
        return problems, None
    return problems, Member(
        line=line,
        member_id=values["member_id"],
        email=email,
        country=country,
        language=language,
        services=tuple(dict.fromkeys(services)),
        template=template,
        mandate_ref=values["mandate_ref"],
        details=details,
    )


def _template_problems(
    template: str,
    language: str,
    email: str,
    country: str,
    services: tuple[str, ...],
    data_dir: Path | None,
) -> list[str]:
    """The text each service would get: the template loads, and fits the form's field."""
    from widerspruch.services import get_flow
    from widerspruch.submit import justification_for

    try:
        settings = member_settings(
            email=email,
            country=country,
            language=language,
            template=template,
            services=services,
            data_dir=data_dir or Path("."),
        )
        for service in services:
            justification_for(settings, get_flow(service))
    except UsageError as error:
        return [str(error)]
    return []


@cache
def load_template(template: str, language: str) -> Template:
    """A template, loaded and checked once per process."""
    from widerspruch.submit.justification import load

    return load(template, language)


def member_settings(
    *,
    email: str,
    country: str,
    language: str,
    template: str,
    services: tuple[str, ...],
    data_dir: Path,
    **options: Any,
) -> Settings:
    """The `submit` settings for one member (values checked already)."""
    from widerspruch.settings import Settings

    return Settings(
        services=services,
        email=email,
        country=country,
        language=language,
        template=template,
        justification="",
        data_dir=data_dir,
        **options,
    )
