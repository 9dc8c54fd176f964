"""Facebook: "Object to your information being used for AI at Meta"."""

from widerspruch.flow import Flow
from widerspruch.labels import META_LABELS


class FacebookFlow(Flow):
    service = "facebook"
    display_name = "Facebook"
    form_urls = (
        "https://www.facebook.com/help/contact/712876720715583",  # 2025 onward
        "https://www.facebook.com/help/contact/6359191084165019",  # the 2024 version
    )
    hosts = (".facebook.com", ".fbcdn.net", ".facebook.net", ".fbsbx.com")
    labels = META_LABELS  # Meta's shared wording covers this form
