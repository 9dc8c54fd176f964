"""LinkedIn: the Data Processing Objection Form (TS-DPRO) in LinkedIn's Help Center.

The first service outside Meta. The form is LinkedIn's general objection to processing
(Art. 21 GDPR), not one about AI: what is objected to, the training of generative AI
models, is said by the text sent with it. It opens only for a logged-in member, so the
person logs in to LinkedIn first. Its wording differs from Meta's where it matters: the
cookie banner offers only "Accept" and "Reject" ("Akzeptieren", "Ablehnen").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from widerspruch.page.flow import Controller, Flow
from widerspruch.page.labels import META_LABELS, Phrases
from widerspruch.page.setting import Setting
from widerspruch.states import PageState

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from widerspruch.page.view import PageView

# LinkedIn's cookie banner: "Select Accept to consent or Reject to decline non-essential
# cookies". The bare button names are LinkedIn's own; elsewhere "Reject" alone could be
# anything, so they count only as a whole name. "Accept" is listed so that the flow can
# prove it never presses it.
LINKEDIN_LABELS = META_LABELS.with_service_wording(
    decline_cookies={
        "en": (r"^\s*reject\s*$", r"^\s*reject (non-essential|optional)\b"),
        "de": (r"^\s*ablehnen\s*$",),
        "fr": (r"^\s*refuser\s*$",),
        "it": (r"^\s*rifiuta\s*$",),
        "es": (r"^\s*rechazar\s*$",),
        "nl": (r"^\s*weigeren\s*$",),
        "pl": (r"^\s*odrzuć\s*$",),
        "pt": (r"^\s*rejeitar\s*$",),
    },
    allow_all_cookies={
        "en": (r"^\s*accept\s*$",),
        "de": (r"^\s*akzeptieren\s*$",),
        "fr": (r"^\s*accepter\s*$",),
        "it": (r"^\s*accetta\s*$",),
        "es": (r"^\s*aceptar\s*$",),
        "nl": (r"^\s*accepteren\s*$",),
        "pl": (r"^\s*akceptuj\s*$",),
        "pt": (r"^\s*aceitar\s*$",),
    },
)

# What the form is about: the processing of personal data (the form speaks of no AI).
PROCESSING = Phrases(
    by_language={
        "en": (r"\b(personal )?data\b", r"\bprocessing\b", r"\binformation\b"),
        "de": (r"\b(personenbezogen\w* )?daten\b", r"verarbeitung\b"),  # also "Datenverarbeitung"
        "fr": (r"\bdonnées\b", r"\btraitement\b"),
        "it": (r"\bdati\b", r"\btrattamento\b"),
        "es": (r"\bdatos\b", r"\btratamiento\b"),
        "nl": (r"\bgegevens\b", r"\bverwerking\b"),
        "pl": (r"\bdan(e|ych)\b", r"\bprzetwarzani\w*"),
        "pt": (r"\bdados\b", r"\btratamento\b"),
        "sv": (r"\b(person)?uppgifter\b", r"\bbehandl\w*"),
    }
)


# The switch of "Data for Generative AI Improvement" in the settings (EU, from 3 Nov
# 2025): "Use my data for training content creation AI models".
AI_IMPROVEMENT = Setting(
    name="Data for Generative AI Improvement",
    url="https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement",
    label=Phrases(
        by_language={
            "en": (
                r"\b(use|using) my data\b.{0,40}\btrain\w*\b.{0,40}\bai\b",
                r"\bdata for generative ai improvement\b",
            ),
            "de": (
                r"\bmeine daten\b.{0,60}\b(training|trainieren)\b.{0,60}\bki\b",
                r"\bdaten zur verbesserung generativer ki\b",
            ),
        }
    ),
)


class LinkedInFlow(Flow):
    service = "linkedin"
    display_name = "LinkedIn"
    company = "LinkedIn"
    # The controller for members in the EU, EEA and Switzerland; its letters are in
    # flows/letters/linkedin/.
    controller = Controller(
        name="LinkedIn Ireland Unlimited Company",
        address="Wilton Plaza, Wilton Place, Dublin 2, Ireland",
        letters="linkedin",
    )
    form_urls = ("https://www.linkedin.com/help/linkedin/ask/TS-DPRO",)
    hosts = (".linkedin.com", ".licdn.com")
    labels = LINKEDIN_LABELS
    login_url = "https://www.linkedin.com/login"
    mail_domains = ("linkedin.com",)  # e.linkedin.com and linkedin.com's help desk
    # Where LinkedIn takes any data-protection request: the same form.
    privacy_centre_url = "https://www.linkedin.com/help/linkedin/ask/TS-DPRO"
    # The bundled texts that name the service, not Meta.
    templates = (("standard", "ai-training"), ("short", "ai-training-short"))
    setting = AI_IMPROVEMENT
    replica_cases = (
        ("cookie_banner", PageState.COOKIE_BANNER),
        ("login", PageState.LOGIN_WALL),
        ("checkpoint", PageState.CHECKPOINT),
        ("form", PageState.FORM),
        ("code_step", PageState.CODE_STEP),
        ("confirmation", PageState.CONFIRMATION),
        ("refusal", PageState.ERROR),  # a polite "unfortunately" is no acceptance
        ("error", PageState.ERROR),
        ("unavailable", PageState.UNAVAILABLE),
        ("unclear", PageState.UNKNOWN),  # a case number, and nothing said of the request
        ("setting", PageState.UNKNOWN),  # the settings page with the AI switch: no form
    )

    def not_objection_form(self, page: Page, view: PageView | None = None) -> str | None:
        """None when the page is LinkedIn's objection to the processing of personal data.

        Unlike Meta's, the form speaks of no AI: a heading or sentence near the form must
        speak of objecting and of processing data. Side panels and FAQs never count."""
        evidence = self._form_evidence(page, view or self.view(page))
        for piece in evidence.pieces():
            text = " ".join(piece.split())
            if self.labels.objection.rx.search(text) and PROCESSING.rx.search(text):
                return None
        shown = evidence.heading or evidence.title
        about = f'its heading is "{shown[:120]}"' if shown else "it speaks of no objection"
        return f"this page is not LinkedIn's data processing objection form: {about}"
