"""The receipt in English."""

from __future__ import annotations

from widerspruch.states import Status

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
DATE = "{day} {month} {year}"
TIME_SUFFIX = ""

TEXT: dict[str, str] = {
    "kind": "Receipt",
    "number": "Objection no.",
    "title": "Objection to use for AI",
    "service": "Service",
    "account": "Account",
    "full_address": "full address",
    "sent": "Sent",
    "local": "local time",
    "deadline": "Reply due",
    "deadline_note": "one month, Art. 12(3) GDPR",
    "form": "Form",
    "country": "Country",
    "template": "Text",
    "own_text": "own text",
    "what": "What was done",
    "what_1": (
        "On {date}, an objection under <b>Art. 21(1) GDPR</b> was filed through Meta's "
        "official form against Meta using the information of the {service} account "
        "{account} to develop and improve AI. Meta bases this processing on its "
        "“legitimate interests” (<b>Art. 6(1)(f) GDPR</b>). Anyone may object to such "
        "processing; Meta must then stop it unless it demonstrates compelling legitimate "
        "grounds that override the person's interests."
    ),
    "what_1_demo": (
        "This is a receipt from widerspruch's demo. On {date}, the demo filled in and "
        "sent the form for the {service} account {account}, but only to a replica of "
        "Meta's pages on this computer. <b>Nothing of it was sent to Meta, and no "
        "objection was filed.</b> This is what the receipt of a real objection under "
        "Art. 21(1) GDPR looks like."
    ),
    "what_demo": (
        "The replica reported receipt on the page (picture below). That is no "
        "confirmation from Meta."
    ),
    "what_confirmed": "Meta confirmed receipt on the page (picture below).",
    "what_unconfirmed": "The form was sent, but no confirmation from Meta was seen.",
    "no_reply": "There is no reply from Meta by email yet.",
    "no_reply_unconfirmed": (
        "Only a reply from Meta by email will show whether the objection arrived; there "
        "is none yet."
    ),
    "replied_acknowledged": "Meta acknowledged the objection by email ({date}).",
    "replied_rejected": "Meta refused the objection by email ({date}).",
    "replied_info_requested": "Meta asked for more information by email ({date}).",
    "replied_kept": "The email is kept with the record (see “Meta's replies”).",
    "what_by_person": (
        "The form was sent and Meta answered, but not clearly. The person looked at the "
        "answer and judged that Meta accepted the objection: this is their judgement, "
        "not Meta's confirmation. The page said: “{text}”"
    ),
    "what_deadline": (
        "Under <b>Art. 12(3) GDPR</b> Meta must answer within one month, here by "
        "<b>{deadline}</b>. If no answer comes, the person can remind Meta or complain "
        "to the data protection authority."
    ),
    "what_deadline_answered": (
        "Under <b>Art. 12(3) GDPR</b> Meta had one month for this, here until <b>{deadline}</b>."
    ),
    "what_rejected": (
        "The person can complain about the refusal to the data protection authority: "
        "Meta must demonstrate compelling legitimate grounds, and a plain refusal does "
        "not."
    ),
    "replies": "Meta's replies",
    "reply_acknowledged": "Meta acknowledges the objection",
    "reply_rejected": "Meta refuses the objection",
    "reply_info_requested": "Meta asks for more information",
    "reply_signed": "Meta's signature (DKIM) verified",
    "reply_unsigned": "Meta's signature (DKIM) not verified",
    "undated": "undated",
    "text": "The text sent",
    "page": "Meta's page after sending",
    "page_demo": "The replica of Meta's page after sending",
    "no_page": "There is no screenshot of this page.",
    "verify": "How to check this receipt",
    "verify_1": (
        "All evidence is in widerspruch's data dir under <code>{folder}</code>: "
        "screenshots before and after sending, Meta's page as HTML, the form fields "
        "sent and the circumstances. <code>manifest.json</code> lists the SHA-256 of "
        "every file; its own SHA-256 is in the ledger, and here:"
    ),
    "verify_2": (
        "Anyone who recomputes the hashes, with widerspruch or any other SHA-256 tool, "
        "finds each file that has changed or gone missing since."
    ),
    "help": "Help: using widerspruch",
    "help_note": (
        "This section is not part of the receipt. It tells the person who uses "
        "widerspruch what to do next."
    ),
    "help_verify": "Check the evidence: <code>widerspruch verify {id}</code>",
    "help_confirm": (
        "Add Meta's email to the record: from the mailbox with <code>widerspruch inbox</code>, "
        "or as a saved file with <code>widerspruch confirm {id} --eml FILE</code>"
    ),
    "help_followup": (
        "Write a reminder to Meta or a complaint to the data protection authority: "
        "<code>widerspruch followup {id}</code>"
    ),
    "help_receipt": "Make this receipt again: <code>widerspruch receipt {id}</code>",
    "help_real": "File a real objection: <code>widerspruch submit --help</code>",
    "demo_badge": "DEMO – not sent to Meta",
    "demo_form": "Replica of Meta's form on this computer (nothing sent to Meta)",
    "footer": "Made with widerspruch {version} on {made}",
    "page_of": "Page {page} of {pages}",
    Status.CONFIRMED: "Confirmed by Meta on the page",
    Status.CONFIRMED_BY_PERSON: "Judged accepted by the person",
    Status.SUBMITTED_UNCONFIRMED: "Sent, no confirmation seen",
    Status.SUBMITTING: "Possibly sent, no confirmation seen",
    Status.ACKNOWLEDGED: "Acknowledged by Meta by email",
    Status.REJECTED: "Refused by Meta",
    Status.INFO_REQUESTED: "Meta asks for more information",
}
