"""Meta's form for information from third parties: for people without an account.

Someone whose data appears in other people's posts, or reached Meta from third parties,
objects here without a Facebook or Instagram account: name, email, country, where the
data appeared, and which objection (the one about information from third parties).
"""

from widerspruch.page.flow import Detail, Flow
from widerspruch.page.labels import META_LABELS, Phrases
from widerspruch.states import PageState

from ._meta import META, META_CONTROLLER, META_MAIL_DOMAINS

# The form offers three requests; this one is "…my information from third parties…".
THIRD_PARTY_CHOICE = Phrases(
    by_language={
        "en": (r"\bthird[ -]part(y|ies)\b",),
        "de": (r"\b(von|durch) Dritten?\b", r"\bDrittanbieter", r"\bDritter\b"),
        "fr": (r"\b(de |des )?tiers\b", r"\btierces? parties\b"),
        "it": (r"\bterz[ei]\b", r"\bterze parti\b"),
        "es": (r"\bterceros\b",),
        "nl": (r"\bderden\b",),
        "pl": (r"\b(stron|osób) trzecich\b",),
        "pt": (r"\bterceiros\b",),
    }
)

NAME = Phrases(
    by_language={
        "en": (r"\b(full |your )?name\b",),
        "de": (r"\b(vollständiger |dein )?name\b",),
        "fr": (r"\bnom\b",),
        "it": (r"\bnome\b",),
        "es": (r"\bnombre\b",),
        "nl": (r"\bnaam\b",),
        "pl": (r"\bimię\b", r"\bnazwisko\b"),
        "pt": (r"\bnome\b",),
    }
)

# "Where did your information appear?" (a post, a photo, a site, a list from a company).
WHERE = Phrases(
    by_language={
        "en": (
            r"\bwhere\b[^?]{0,60}\b(information|data)\b",
            r"\b(information|data)\b[^?]{0,40}\bappear",
        ),
        "de": (
            r"\bwo\b[^?]{0,60}\b(Informationen|Daten)\b",
            r"\b(Informationen|Daten)\b[^?]{0,40}\b(erschienen|aufgetaucht)",
        ),
        "fr": (r"\boù\b[^?]{0,60}\b(informations|données)\b",),
        "it": (r"\bdove\b[^?]{0,60}\b(informazioni|dati)\b",),
        "es": (r"\bdónde\b[^?]{0,60}\b(información|datos)\b",),
        "nl": (r"\bwaar\b[^?]{0,60}\b(informatie|gegevens)\b",),
        "pl": (r"\bgdzie\b[^?]{0,60}\b(informacje|dane)\b",),
        "pt": (r"\bonde\b[^?]{0,60}\b(informações|dados)\b",),
    }
)


class MetaThirdPartyFlow(Flow):
    service = "meta-third-party"
    display_name = "Meta (information from third parties, no account)"
    company = META
    controller = META_CONTROLLER
    form_urls = ("https://www.facebook.com/help/contact/510058597920541",)
    hosts = (".facebook.com", ".fbcdn.net", ".facebook.net")
    labels = META_LABELS
    needs_login = False  # the form is for people without an account
    details = (
        Detail("name", NAME, "your full name, as it appears where your data was seen"),
        Detail("where", WHERE, "where your data appeared (e.g. photos posted by others)"),
    )
    choice = THIRD_PARTY_CHOICE
    templates = (("standard", "third-party"), ("short", "third-party-short"))
    mail_domains = ("facebookmail.com", "facebook.com", "support.facebook.com", *META_MAIL_DOMAINS)
    privacy_centre_url = "https://www.facebook.com/privacy/center"
    replica_cases = (
        ("cookie_banner", PageState.COOKIE_BANNER),
        ("choice", PageState.AI_QUESTION),  # only the three requests are shown
        ("form", PageState.FORM),
        ("code_step", PageState.CODE_STEP),
        ("confirmation", PageState.CONFIRMATION),
        ("error", PageState.ERROR),
        ("unavailable", PageState.UNAVAILABLE),
        ("form_changed", PageState.FORM),  # no name field: filling refuses, FormChanged
    )
