"""Every option and environment variable, parsed and checked once into `Settings`."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from widerspruch.errors import UsageError
from widerspruch.ledger.faults import DISK_FULL_ERRNOS, full_message

if TYPE_CHECKING:
    from collections.abc import Mapping

    from widerspruch.page.flow import Flow
    from widerspruch.proof.timestamp import Timestamping

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# E.164: a plus, the country code, the number; at most 15 digits, never a leading 0.
PHONE_PATTERN = re.compile(r"^\+[1-9][0-9]{6,14}$")
DEFAULT_TIMEOUT_SECONDS = 600
ENV_HOME = "WIDERSPRUCH_HOME"
ENV_BROWSER = "WIDERSPRUCH_BROWSER"
ENV_LEDGER = "WIDERSPRUCH_LEDGER"
# Hosts on this machine: the connection never leaves it, so TLS is not required.
LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1"})


def default_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("widerspruch", appauthor=False)


def resolve_data_dir(option: Path | None) -> Path:
    if option is not None:
        path = option.expanduser()
    else:
        env = os.environ.get(ENV_HOME)
        path = Path(env).expanduser() if env else default_data_dir()
    if path.exists() and not path.is_dir():
        # Read-only commands would otherwise report "no ledger yet" and exit 0.
        raise UsageError(
            f"the data dir {path} is not usable: it is a file, not a folder; "
            f"choose another with --data-dir or {ENV_HOME}"
        )
    return path


def prepare_data_dir(path: Path) -> Path:
    """Create the data dir owner-only and prove it is writable, before any browser opens."""
    # Everything the tool writes (ledger, logs, evidence) is for the owner's eyes only.
    os.umask(0o077)
    try:
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(0o700)
        probe = path / ".write-test"
        probe.write_bytes(b"x" * 4096)
        probe.unlink()
    except OSError as error:
        if error.errno in DISK_FULL_ERRNOS:
            # Not "choose another data dir": a new one would hold an empty ledger, which
            # knows nothing of the objections already sent.
            raise UsageError(full_message(path)) from None
        raise UsageError(
            f"the data dir {path} is not usable: {error.strerror or error}; "
            f"choose another with --data-dir or {ENV_HOME}"
        ) from None
    return path


def check_email(email: str, option: str = "--email") -> str:
    email = email.strip()
    if not EMAIL_PATTERN.match(email):
        raise UsageError(f"{option}: {email!r} is not an email address")
    return email


def check_phone(phone: str, option: str = "--phone") -> str:
    """A phone number in E.164 form; spaces, dots, dashes and brackets may be typed."""
    compact = re.sub(r"[\s().-]", "", phone)
    if not PHONE_PATTERN.match(compact):
        raise UsageError(
            f"{option}: {phone!r} is not a phone number with country code (like +4915112345678)"
        )
    return compact


def check_details(
    flows: list[Flow], given: Mapping[str, str | None], *, option: str = "--{}"
) -> tuple[tuple[str, str], ...]:
    """The details the flows ask for (`Flow.details`), each checked once; the first one
    missing or malformed is a UsageError naming its option (`option`, formatted with
    the detail's key: a members file names its column instead)."""
    checked: dict[str, str] = {}
    for flow in flows:
        for detail in flow.details:
            value = (given.get(detail.key) or "").strip()
            named = option.format(detail.key)
            if not value:
                if detail.required:
                    raise UsageError(f"{named} is required for {flow.display_name}: {detail.help}")
                continue
            checked[detail.key] = check_phone(value, named) if detail.kind == "phone" else value
    unused = [key for key, value in given.items() if value and key not in checked]
    if unused:
        names = ", ".join(flow.display_name for flow in flows)
        raise UsageError(f"{option.format(unused[0])}: not asked for by {names}")
    return tuple(checked.items())


def check_url(option: str, url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{option}: {url!r} is not an http(s) URL")
    return url


def check_browser_path(value: str | None) -> Path | None:
    """--browser, else WIDERSPRUCH_BROWSER; a bad path blames the one it came from."""
    source = "--browser"
    if not value:
        value, source = (
            os.environ.get(ENV_BROWSER) or None,
            f"{ENV_BROWSER} (set in your environment)",
        )
    if value is None:
        return None
    path = Path(value).expanduser()
    if not path.is_file() or not os.access(path, os.X_OK):
        what = "does not exist" if not path.exists() else "is not an executable program"
        raise UsageError(f"{source}: {path} {what}; name a Chromium or Chrome that runs")
    return path


def resolve_ledger(option: str | None) -> str | None:
    """The shared ledger's URL: --ledger, else WIDERSPRUCH_LEDGER; None (neither) means
    the SQLite ledger in the data dir. Checked once: a PostgreSQL URL without a password
    (the keyring, PGPASSFILE or PGPASSWORD give it, never a command line or a file of
    ours), and TLS with the server's certificate verified for any host off this machine
    unless the URL says otherwise."""
    source = "--ledger"
    if not option:
        option, source = os.environ.get(ENV_LEDGER) or None, f"{ENV_LEDGER} (in your environment)"
    if option is None:
        return None
    return check_ledger_url(option, source)


def check_ledger_url(option: str, source: str) -> str:
    """`option` as a checked PostgreSQL URL (see resolve_ledger); `source` is blamed."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(option.strip())
    if parts.scheme not in ("postgresql", "postgres"):
        raise UsageError(
            f"{source}: not a PostgreSQL URL (postgresql://user@host/database); leave it "
            "out to use the ledger in the data dir"
        )
    query = parse_qsl(parts.query, keep_blank_values=True)
    if parts.password is not None or any(key == "password" for key, _ in query):
        raise UsageError(
            f"{source}: the URL holds a password; take it out, and keep the password in "
            "the keyring (widerspruch/ledger, user@host), in PGPASSFILE or in PGPASSWORD"
        )
    hosts = [value for key, value in query if key == "host"] or [parts.hostname or ""]
    remote = any(not host.startswith("/") and host not in LOCAL_HOSTS for host in hosts)
    if remote and not any(key == "sslmode" for key, _ in query):
        query.append(("sslmode", "verify-full"))
    return urlunsplit(parts._replace(query=urlencode(query, safe="/")))


@dataclass(frozen=True)
class LedgerSettings:
    """The ledger a command reads or writes, parsed once from --data-dir and --ledger
    (and their environment variables): the data dir (the evidence, the log, and the
    SQLite ledger by default) and the shared PostgreSQL ledger's URL (None: that file)."""

    data_dir: Path
    ledger: str | None = None

    @classmethod
    def from_options(cls, data_dir: Path | None, ledger: str | None) -> LedgerSettings:
        return cls(resolve_data_dir(data_dir), resolve_ledger(ledger))

    def keeping_files(self) -> LedgerSettings:
        """These settings, for a command that keeps files in the data dir (Meta's reply):
        with a shared ledger, the data dir may be new on this machine, so it is made
        owner-only first (prepare_data_dir). The file's ledger needs none: a data dir
        without its ledger is refused (and never created) before anything is kept."""
        if self.ledger is not None:
            prepare_data_dir(self.data_dir)
        return self

    @property
    def where(self) -> str:
        """The ledger as messages name it: its file, or its URL without any secret."""
        from widerspruch.ledger.engine import shown
        from widerspruch.ledger.store import LEDGER_FILE

        return shown(self.ledger) if self.ledger else str(self.data_dir / LEDGER_FILE)

    @property
    def home(self) -> str:
        """Where "nothing recorded yet in …" looks: the data dir, or the shared ledger."""
        from widerspruch.ledger.engine import shown

        return shown(self.ledger) if self.ledger else str(self.data_dir)


@dataclass(frozen=True)
class Settings:
    """One run's settings. Built once by the CLI, passed down, never re-read."""

    services: tuple[str, ...]
    email: str
    country: str
    language: str
    template: str
    justification: str
    data_dir: Path
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    keep_session: bool = False  # save the login, encrypted, for the next run
    # After the objection, switch off the service's own setting (Flow.setting) too.
    also_setting: bool = False
    # How long a page may take to answer the tool (a load, a click's effect).
    response_timeout: float = 30.0
    review: bool = False
    headless: bool = False
    form_url: str | None = None
    cdp_url: str | None = None
    browser_path: Path | None = None
    json: bool = False
    assume_yes: bool = False
    force: bool = False
    # A trusted timestamp on each sealed bundle (off by default: it needs the network).
    timestamping: Timestamping | None = None
    # `widerspruch demo`: the replicas, not Meta; its records are marked as the demo's.
    demo: bool = False
    # The flows' own fields (`Flow.details`), by key: a name, a phone number, …
    details: tuple[tuple[str, str], ...] = ()
    # The shared PostgreSQL ledger's URL (resolve_ledger); None: the data dir's SQLite.
    ledger: str | None = None

    def details_for(self, flow: Flow) -> dict[str, str]:
        """The details `flow`'s form asks for, as given."""
        given = dict(self.details)
        return {d.key: given[d.key] for d in flow.details if d.key in given}

    @classmethod
    def from_options(
        cls,
        *,
        services: list[str],
        email: str,
        country: str,
        language: str | None,
        template: str,
        justification: str | None,
        data_dir: Path | None,
        form_url: str | None = None,
        cdp_url: str | None = None,
        browser: str | None = None,
        details: Mapping[str, str | None] | None = None,
        ledger: str | None = None,
        **flags: object,
    ) -> Settings:
        """Check every option; the first problem is a UsageError naming it."""
        from widerspruch.page.countries import normalise_country
        from widerspruch.services import get_flow, known_services_text
        from widerspruch.submit.justification import languages, load

        if not services:
            raise UsageError(f"name at least one service: {known_services_text()}")
        flows = [get_flow(service) for service in services]
        names = tuple(dict.fromkeys(flow.service for flow in flows))
        email = check_email(email)
        checked_details = check_details(flows, details or {})
        country = normalise_country(country)
        language = (language or default_language(country)).lower()
        if language not in languages():
            raise UsageError(
                f"--language: no justification in {language!r}; available: {', '.join(languages())}"
            )
        if form_url is not None:
            check_url("--form-url", form_url)
            if len(names) != 1:
                raise UsageError("--form-url works with exactly one service")
            if not flows[0].allows_url(form_url):
                # Up front: the flow would block the page and record a failed objection.
                raise UsageError(
                    f"--form-url: {urlsplit(form_url).hostname} is not one of the hosts "
                    f"{flows[0].display_name}'s form may use "
                    f"({', '.join(h.lstrip('.') for h in flows[0].hosts)})"
                )
        if cdp_url is not None:
            check_url("--cdp", cdp_url)
        browser_path = check_browser_path(browser)
        if flags.get("also_setting") and not any(flow.setting for flow in flows):
            raise UsageError(
                "--also-setting: none of "
                + ", ".join(flow.service for flow in flows)
                + " has a setting to switch off"
            )
        chosen = load(template, language)
        if justification is not None:
            justification = justification.strip()
            if not justification:
                raise UsageError("--justification is empty; leave it out to use the template")
        return cls(
            services=names,
            email=email,
            country=country,
            language=language,
            # As given: a bundled name, or the path of the person's own file.
            template=template if chosen.source != "bundled" else chosen.name,
            justification=justification or "",
            data_dir=prepare_data_dir(resolve_data_dir(data_dir)),
            form_url=form_url,
            cdp_url=cdp_url,
            browser_path=browser_path,
            details=checked_details,
            # The demo writes only into its own folder's ledger, never a shared one.
            ledger=None if flags.get("demo") else resolve_ledger(ledger),
            **flags,  # type: ignore[arg-type]
        )


# The language of the bundled texts for a person living in each EU/EEA country (and
# Switzerland), where there is a text in that country's language; everyone else gets
# English. Countries with several languages get the one most of their people read:
# Belgium Dutch (the larger community; French-speakers pass --language fr), Luxembourg
# French (its language of law and administration), Switzerland German.
COUNTRY_LANGUAGE = {
    **dict.fromkeys(("DE", "AT", "LI", "CH"), "de"),
    **dict.fromkeys(("FR", "LU"), "fr"),
    **dict.fromkeys(("NL", "BE"), "nl"),
    "IT": "it",
    "ES": "es",
    "PL": "pl",
    "PT": "pt",
}


def default_language(country: str) -> str:
    """The language `--language` defaults to for a person living in `country`."""
    return COUNTRY_LANGUAGE.get(country.upper(), "en")
