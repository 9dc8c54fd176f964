"""Instagram: the AI objection form in Instagram's help center."""

from widerspruch.flow import Flow
from widerspruch.labels import META_LABELS


class InstagramFlow(Flow):
    service = "instagram"
    display_name = "Instagram"
    form_urls = (
        "https://help.instagram.com/contact/767264225370182",  # 2025, the help center's
        # The same objection, where the Instagram app's "right to object" link points.
        "https://help.instagram.com/contact/233964459562201",
    )
    hosts = (
        ".instagram.com",
        ".cdninstagram.com",
        ".facebook.com",  # Instagram's help center loads parts of Facebook's
        ".fbcdn.net",
    )
    labels = META_LABELS  # Meta's shared wording covers this form
