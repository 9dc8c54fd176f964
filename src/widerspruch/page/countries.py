"""Country codes and their names in the languages Meta's country lists use."""

from __future__ import annotations

import gettext
from functools import cache

from widerspruch.errors import UsageError
from widerspruch.page.labels import LANGUAGES


class UnknownCountry(UsageError):
    pass


@cache
def _translations(language: str) -> gettext.NullTranslations:
    import pycountry

    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def _country(code: str) -> object:
    import pycountry

    country = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    if country is None:
        raise UnknownCountry(f"unknown country code {code!r} (use ISO 3166-1 alpha-2, e.g. DE)")
    return country


def normalise_country(code: str) -> str:
    """The upper-case ISO code, or UnknownCountry."""
    _country(code)
    return code.upper()


@cache
def country_names(code: str) -> tuple[str, ...]:
    """Every name a country list may show for this code, English first."""
    country = _country(code)
    english = [
        getattr(country, attr)
        for attr in ("name", "common_name", "official_name")
        if getattr(country, attr, None)
    ]
    names = list(dict.fromkeys(english))
    for language in LANGUAGES:
        for name in english:
            translated = _translations(language).gettext(name)
            if translated not in names:
                names.append(translated)
    return tuple(names)


def country_name(code: str, language: str) -> str:
    """The country's name as written in `language` (for templates)."""
    country = _country(code)
    name = getattr(country, "common_name", None) or country.name  # type: ignore[attr-defined]
    return _translations(language).gettext(name)
