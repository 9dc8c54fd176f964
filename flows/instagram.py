"""Instagram: the AI objection form in Instagram's help center."""

from widerspruch.page.flow import Flow
from widerspruch.page.labels import META_LABELS

from ._meta import HELP_CENTRE_REPLICAS, META, META_CONTROLLER, META_MAIL_DOMAINS


class InstagramFlow(Flow):
    service = "instagram"
    display_name = "Instagram"
    company = META
    controller = META_CONTROLLER
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
    login_url = "https://www.instagram.com/accounts/login/"
    mail_domains = (
        "instagram.com",
        "mail.instagram.com",
        *META_MAIL_DOMAINS,
    )
    # Meta has one Privacy Center for both services, on Facebook's site.
    privacy_centre_url = "https://www.facebook.com/privacy/center"
    replica_cases = HELP_CENTRE_REPLICAS
