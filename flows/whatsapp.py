"""WhatsApp: no objection form yet; watched for one by `widerspruch check`."""

from widerspruch.labels import META_LABELS, Phrases
from widerspruch.watch import Watch


class WhatsAppWatch(Watch):
    service = "whatsapp"
    display_name = "WhatsApp"
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
                r"\bobject(ion|ing)?\b[^.]{0,80}\b(AI|artificial intelligence)\b",
                r"\b(AI|artificial intelligence)\b[^.]{0,60}\bobject(ion)?\b",
                r"\bopt(ing)?[ -]?out\b[^.]{0,60}\b(AI|artificial intelligence)\b",
            ),
            "de": (
                r"(widerspr|einspruch|einwand)[^.]{0,80}\b(KI|künstliche\w* Intelligenz)\b",
                r"\b(KI|künstliche\w* Intelligenz)\b[^.]{0,60}(widerspr|einspruch)",
            ),
            "fr": (r"\b(opposer|opposition)\b[^.]{0,80}\b(IA|intelligence artificielle)\b",),
            "it": (r"\b(opporsi|opposizione)\b[^.]{0,80}\b(IA|intelligenza artificiale)\b",),
            "es": (r"\b(oponerse|oposici[oó]n)\b[^.]{0,80}\b(IA|inteligencia artificial)\b",),
            "nl": (r"\bbezwaar\b[^.]{0,80}\b(AI|kunstmatige intelligentie)\b",),
        }
    )
