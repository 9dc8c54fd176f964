"""Justification texts: bundled templates or a file, with their placeholders checked."""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from widerspruch.errors import UsageError

if TYPE_CHECKING:
    from widerspruch.page.flow import Flow
    from widerspruch.settings import Settings

PLACEHOLDERS = {
    "email": "the account's email address",
    "country": "the country of residence, named in the text's language",
    "country_code": "the ISO code of the country (DE)",
    "date": "today's date (ISO 8601)",
    "service": "the service's name, as people call it (its flow's display name)",
}
SAMPLE_EMAIL = "you@example.org"  # a reserved domain: never anyone's address
SAMPLE_COUNTRY = "DE"
MIN_RECOMMENDED_CHARS = 100  # Meta's 2024 form refused shorter texts


class TemplateError(UsageError):
    pass


@dataclass(frozen=True)
class Template:
    name: str
    language: str
    version: str
    description: str
    body: str
    source: str  # "bundled" or the file's path

    def placeholders(self) -> set[str]:
        try:
            return {field for _, field, _, _ in string.Formatter().parse(self.body) if field}
        except ValueError as error:
            raise TemplateError(f"template {self.name}: {error}") from None

    def check(self) -> None:
        unknown = self.placeholders() - PLACEHOLDERS.keys()
        if unknown:
            raise TemplateError(
                f"template {self.name} has unknown placeholder(s) "
                f"{', '.join('{' + u + '}' for u in sorted(unknown))}; "
                f"known: {', '.join('{' + k + '}' for k in PLACEHOLDERS)}"
            )

    def render(self, **values: str) -> str:
        self.check()
        return self.body.format(**values).strip()

    def sample(self) -> str:
        """The text filled with sample values, as `templates NAME` shows it."""
        from widerspruch.page.countries import country_name
        from widerspruch.services import registry

        return self.render(
            email=SAMPLE_EMAIL,
            country=country_name(SAMPLE_COUNTRY, self.language),
            country_code=SAMPLE_COUNTRY,
            date=today(),
            service=registry().flows[0]().display_name,
        )


def _parse(name: str, language: str, text: str, source: str) -> Template:
    header: dict[str, str] = {}
    lines = text.splitlines()
    while lines and lines[0].startswith("#"):
        key, _, value = lines.pop(0).lstrip("# ").partition(":")
        header[key.strip().lower()] = value.strip()
    body = "\n".join(lines).strip()
    if not body:
        raise TemplateError(f"template {name} is empty")
    return Template(
        name=name,
        language=language,
        version=header.get("version", "1"),
        description=header.get("description", ""),
        body=body,
        source=source,
    )


def bundled() -> list[Template]:
    folder = resources.files("widerspruch.templates")
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".txt"):
            name, language = entry.name.removesuffix(".txt").rsplit(".", 1)
            found.append(_parse(name, language, entry.read_text("utf-8"), "bundled"))
    return found


def load(name_or_path: str, language: str) -> Template:
    """A bundled template by name (in `language`), or a UTF-8 file by path."""
    path = Path(name_or_path).expanduser()
    if path.suffix or path.exists() or "/" in name_or_path:
        try:
            text = path.read_text("utf-8")
        except FileNotFoundError:
            raise TemplateError(f"template file not found: {path}") from None
        except UnicodeDecodeError:
            raise TemplateError(f"template file is not UTF-8 text: {path}") from None
        except OSError as error:
            raise TemplateError(f"cannot read template file {path}: {error.strerror}") from None
        template = _parse(path.stem, language, text, str(path))
    else:
        matches = [t for t in bundled() if t.name == name_or_path]
        if not matches:
            names = sorted({t.name for t in bundled()})
            raise TemplateError(f"unknown template {name_or_path!r}; known: {', '.join(names)}")
        in_language = [t for t in matches if t.language == language]
        if not in_language:
            languages = ", ".join(t.language for t in matches)
            raise TemplateError(
                f"template {name_or_path!r} has no {language!r} version; it has: {languages}"
            )
        template = in_language[0]
    template.check()
    return template


def template_for(settings: Settings, flow: Flow) -> Template | None:
    """The template whose text is sent: the flow's own version of the one the person
    asked for (a form for people without an account has its own texts, see
    ``Flow.templates``); None when the person gave the text with --justification."""
    if settings.justification:
        return None
    return load(flow.template_name(settings.template), settings.language)


def languages() -> list[str]:
    return sorted({t.language for t in bundled()})


def today() -> str:
    return date.today().isoformat()
