"""Facebook: "Object to your information being used for AI at Meta"."""

from widerspruch.page.flow import Flow
from widerspruch.page.labels import META_LABELS
from widerspruch.states import PageState

from ._meta import HELP_CENTRE_REPLICAS, META, META_CONTROLLER, META_MAIL_DOMAINS


class FacebookFlow(Flow):
    service = "facebook"
    display_name = "Facebook"
    company = META
    controller = META_CONTROLLER
    form_urls = (
        "https://www.facebook.com/help/contact/712876720715583",  # 2025 onward
        "https://www.facebook.com/help/contact/6359191084165019",  # the 2024 version
    )
    hosts = (".facebook.com", ".fbcdn.net", ".facebook.net", ".fbsbx.com")
    labels = META_LABELS  # Meta's shared wording covers this form
    login_url = "https://www.facebook.com/login/"
    mail_domains = (
        "facebookmail.com",
        "facebook.com",
        "support.facebook.com",
        *META_MAIL_DOMAINS,
    )
    privacy_centre_url = "https://www.facebook.com/privacy/center"
    replica_cases = (
        *HELP_CENTRE_REPLICAS,
        ("form_steps", PageState.AI_QUESTION),  # three steps; the first asks the AI question
        ("privacy_center", PageState.UNKNOWN),  # a Meta page, but no form and no answer
    )
