"""Every option and environment variable, parsed and checked once into `Settings`."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from widerspruch.errors import UsageError
from widerspruch.ledger_faults import DISK_FULL_ERRNOS, full_message

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DEFAULT_TIMEOUT_SECONDS = 600
ENV_HOME = "WIDERSPRUCH_HOME"
ENV_BROWSER = "WIDERSPRUCH_BROWSER"


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


def check_url(option: str, url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{option}: {url!r} is not an http(s) URL")
    return url


def check_browser_path(value: str | None) -> Path | None:
    value = value or os.environ.get(ENV_BROWSER) or None
    if value is None:
        return None
    path = Path(value).expanduser()
    if not path.is_file() or not os.access(path, os.X_OK):
        raise UsageError(f"--browser: no executable browser at {path}")
    return path


@dataclass(frozen=True)
class Settings:
    """One run's settings. Built once by the CLI, passed down, never re-read."""

    services: tuple[str, ...]
    email: str
    country: str
    language: str
    template: str
    justification: str
    template_version: str
    data_dir: Path
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    keep_session: bool = False  # save the login, encrypted, for the next run
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
        **flags: object,
    ) -> Settings:
        """Check every option; the first problem is a UsageError naming it."""
        from widerspruch.countries import normalise_country
        from widerspruch.flows import get_flow
        from widerspruch.justification import languages, load

        if not services:
            raise UsageError("name at least one service: facebook, instagram")
        flows = [get_flow(service) for service in services]
        names = tuple(dict.fromkeys(flow.service for flow in flows))
        email = check_email(email)
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
        if cdp_url is not None:
            check_url("--cdp", cdp_url)
        browser_path = check_browser_path(browser)
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
            template_version=chosen.version,
            justification=justification or "",
            data_dir=prepare_data_dir(resolve_data_dir(data_dir)),
            form_url=form_url,
            cdp_url=cdp_url,
            browser_path=browser_path,
            **flags,  # type: ignore[arg-type]
        )


GERMAN_SPEAKING = {"DE", "AT", "CH", "LI", "LU"}


def default_language(country: str) -> str:
    return "de" if country in GERMAN_SPEAKING else "en"
