"""WhatsApp: no known objection form yet; watched for one by `widerspruch check`.

A form to object to Meta using "your messages with AIs on WhatsApp" is reported (phone
number with country code, email, an optional text, then a code sent by email), but
nobody has seen it. `WhatsAppWatch` looks for it; `WhatsAppFlow` is written from the
report against replicas, and stays in ``REGISTRY.pending`` until `check` has found the
real form (then its URL goes first in ``form_urls``, the flow to ``REGISTRY.flows``).
"""

from widerspruch.page.flow import Detail, Flow
from widerspruch.page.labels import META_LABELS, Phrases
from widerspruch.page.watch import Watch
from widerspruch.states import PageState

from ._meta import META, META_CONTROLLER, META_MAIL_DOMAINS

PHONE = Phrases(
    by_language={
        "en": (r"\b(phone|mobile)( number)?\b", r"\bWhatsApp number\b"),
        "de": (r"\b(Telefon|Handy|Mobil)(nummer)?\b", r"\bWhatsApp-Nummer\b"),
        "fr": (r"\bnuméro de (téléphone|mobile)\b",),
        "it": (r"\bnumero di (telefono|cellulare)\b",),
        "es": (r"\bnúmero de (teléfono|móvil)\b",),
        "nl": (r"\b(telefoon|mobiel)nummer\b",),
        "pl": (r"\bnumer telefonu\b",),
        "pt": (r"\b(número de )?(telefone|celular|telemóvel)\b",),
    }
)

# "your messages with AIs": the acronym in the plural is the form's own wording.
WHATSAPP_LABELS = META_LABELS.with_service_wording(
    ai={"en": (r"\bAIs\b",), "de": (r"\bKIs\b",), "pt": (r"\bIAs\b",), "es": (r"\bIAs\b",)}
)


class WhatsAppWatch(Watch):
    service = "whatsapp"
    display_name = "WhatsApp"
    company = META
    controller = META_CONTROLLER
    watch_urls = (
        # The generic data-subject-rights form: asks for email and phone, not about AI.
        "https://www.whatsapp.com/contact/forms/382532939919295/",
        # The help centre, where Meta announces new privacy controls.
        "https://faq.whatsapp.com/",
        "https://www.whatsapp.com/legal/privacy-policy-eea",
    )
    hosts = (".whatsapp.com", ".whatsapp.net")
    labels = META_LABELS
    # A link, button or heading that offers to object to the use of data for AI.
    objection = Phrases(
        by_language={
            "en": (
                r"\bobject(ion|ing)?\b[^.]{0,80}\b(AIs?|artificial intelligence)\b",
                r"\b(AI|artificial intelligence)\b[^.]{0,60}\bobject(ion)?\b",
                r"\bopt(ing)?[ -]?out\b[^.]{0,60}\b(AI|artificial intelligence)\b",
            ),
            "de": (
                r"(widerspr|einspruch|einwand)[^.]{0,80}\b(KIs?|künstliche\w* Intelligenz)\b",
                r"\b(KI|künstliche\w* Intelligenz)\b[^.]{0,60}(widerspr|einspruch)",
            ),
            "fr": (r"\b(opposer|opposition)\b[^.]{0,80}\b(IA|intelligence artificielle)\b",),
            "it": (r"\b(opporsi|opposizione)\b[^.]{0,80}\b(IA|intelligenza artificiale)\b",),
            "es": (r"\b(oponerse|oposici[oó]n)\b[^.]{0,80}\b(IA|inteligencia artificial)\b",),
            "nl": (r"\bbezwaar\b[^.]{0,80}\b(AI|kunstmatige intelligentie)\b",),
            "pt": (r"\b(opor|oposição|objeção)\b[^.]{0,80}\b(IAs?|inteligência artificial)\b",),
        }
    )


class WhatsAppFlow(Flow):
    """The reported form for "your messages with AIs on WhatsApp" (pending: unseen)."""

    service = "whatsapp"
    display_name = "WhatsApp"
    company = META
    controller = META_CONTROLLER
    # No URL is known: this stands for the form until `check` reports the real one,
    # and `--form-url` may start at that.
    form_urls = ("https://www.whatsapp.com/contact/forms/ai-messages/",)
    hosts = (".whatsapp.com", ".whatsapp.net")
    labels = WHATSAPP_LABELS
    needs_login = False  # the report names no login: the phone number says whose chats
    details = (Detail("phone", PHONE, "your WhatsApp number with country code", kind="phone"),)
    mail_domains = ("whatsapp.com", *META_MAIL_DOMAINS)
    privacy_centre_url = "https://www.whatsapp.com/contact/forms/382532939919295/"
    replica_cases = (
        ("cookie_banner", PageState.COOKIE_BANNER),
        ("ai_form", PageState.FORM),
        ("code_step", PageState.CODE_STEP),
        ("confirmation", PageState.CONFIRMATION),
        ("error", PageState.ERROR),
        ("unavailable", PageState.UNAVAILABLE),
        ("ai_form_changed", PageState.FORM),  # no phone field: filling refuses, FormChanged
    )
