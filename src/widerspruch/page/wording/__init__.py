"""How Meta's pages speak, one module per language: the words a person reads them by.

Each language module (``wording/de.py`` ...) defines ``VOCABULARY``, a ``Vocabulary`` of
regular-expression fragments, one tuple per *concept*. Fragments are matched with
``re.IGNORECASE`` against text that was lower-cased and whose white space was collapsed
to single spaces. They describe meaning, not one sentence: stems rather than whole
words (``erhalt`` for "erhalten", "erhaltenen"), several synonyms, formal and informal
address, and never more than a few words in a fixed order, because Meta's wording
changes between visits and verb-final languages put the words in any order.

No fragment names a service: where a page does ("log in with" and the service's name),
the fragment takes any word there (``\\w+``), so every flow's pages read alike.

The judgement that combines the concepts (for example "a sentence that names the
request and says it was received, with no refusal or negation") lives in
``widerspruch.page.verdict``; this package only knows words.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from importlib import import_module


@dataclass(frozen=True)
class Vocabulary:
    """One language's words for every concept the flows recognise.

    Control names (matched against a button's or field's accessible name):

    ``decline_cookies``  buttons that decline optional cookies (searched in the name)
    ``allow_all_cookies`` buttons that allow all or optional cookies (never pressed)
    ``log_in``          login buttons (whole name)        ``send`` submit buttons (whole name)
    ``next``            next / continue (whole name)      ``yes`` the answer yes (whole name)
    ``email``           an email address field            ``email_again`` "re-enter email"
    ``country``         country of residence              ``justification`` the free text
    ``code_field``      the field for the emailed code
    ``accuracy``        a checkbox that states the information is accurate or true
    ``consent``         a checkbox for marketing, newsletters, offers or consent: never ticked

    Page topics: ``ai`` (artificial intelligence, "AI at Meta") and ``objection``
    (objecting, an objection, opting out).

    Person states: ``checkpoint`` (captcha, 2FA, "confirm it's you"), ``code_step``
    (a code was sent to your email), ``login_prompt`` (log in to continue).

    Outcomes, judged per sentence: ``request`` (the request, objection, message or form
    as the page names it), ``received`` (received, submitted, recorded, will be applied
    or honoured), ``thanks``, ``refusal`` (unfortunately, unable, could not, not possible,
    rejected), ``negation`` (not, no, never), ``error`` (something went wrong),
    ``unavailable`` (content or page not available, not in your country).

    ``conditional``: words that open a condition ("if", "wenn", "falls"): a sentence
    about what may happen ("if you have questions, ...") says nothing of this answer.

    ``use``: verbs of using personal data (use, process, train on): a negation before
    them ("we will no longer use your information for AI") grants the objection.
    ``data``: the person's information, data, content or posts, as a page names
    what is (no longer) used: "your information will not be used for AI" grants the
    objection, "your request will not be used" does not.
    ``other_request``: what other kinds of Meta help request are about (downloading or
    copying your information, a login or password problem, a hacked or disabled
    account, a report of content, copyright, ads, deleting the account): a
    confirmation of one of those is not a confirmation of the objection.
    ``no_need``: "you don't need to", "nothing else to do": a negation that asks
    nothing more of the person, and refuses nothing.

    Meta's reply by email (read by ``widerspruch.proof.reading``, sentence by sentence):
    ``reply_accepted`` (the objection honoured, applied, or received), ``reply_refused``
    (unable to act on it, rejected, unfortunately, compelling grounds), ``reply_info``
    (Meta needs more information, please provide). Mail of another kind, never an
    answer: ``mail_security`` (a new login, a changed password, "was this you?"),
    ``mail_code`` (a login or confirmation code) and ``mail_notice`` (marketing and
    notifications: new features, tags, friend requests). A language without them
    reads replies by the shared words of the other languages.

    ``function_words``: a dozen short, very common words of the language (articles,
    pronouns, conjunctions) that tell the language of a page's text.
    """

    code: str  # ISO 639-1
    name: str  # the language's own name for itself
    decline_cookies: tuple[str, ...]
    allow_all_cookies: tuple[str, ...]
    log_in: tuple[str, ...]
    send: tuple[str, ...]
    next: tuple[str, ...]
    yes: tuple[str, ...]
    email: tuple[str, ...]
    email_again: tuple[str, ...]
    country: tuple[str, ...]
    justification: tuple[str, ...]
    code_field: tuple[str, ...]
    accuracy: tuple[str, ...]
    consent: tuple[str, ...]
    ai: tuple[str, ...]
    objection: tuple[str, ...]
    checkpoint: tuple[str, ...]
    code_step: tuple[str, ...]
    login_prompt: tuple[str, ...]
    request: tuple[str, ...]
    received: tuple[str, ...]
    thanks: tuple[str, ...]
    refusal: tuple[str, ...]
    negation: tuple[str, ...]
    error: tuple[str, ...]
    unavailable: tuple[str, ...]
    function_words: tuple[str, ...]
    conditional: tuple[str, ...] = ()
    use: tuple[str, ...] = ()
    no_need: tuple[str, ...] = ()
    data: tuple[str, ...] = ()
    other_request: tuple[str, ...] = ()
    reply_accepted: tuple[str, ...] = ()
    reply_refused: tuple[str, ...] = ()
    reply_info: tuple[str, ...] = ()
    mail_security: tuple[str, ...] = ()
    mail_code: tuple[str, ...] = ()
    mail_notice: tuple[str, ...] = ()


CONCEPTS = tuple(f.name for f in fields(Vocabulary) if f.name not in ("code", "name"))

# The 24 official languages of the EU, then Norwegian (Bokmål) and Icelandic: every
# language Meta serves its forms in across the EU and EEA.
LANGUAGE_CODES = (
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu",
    "it", "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv", "nb", "is",
)  # fmt: skip


def load(code: str) -> Vocabulary:
    vocabulary: Vocabulary = import_module(f"widerspruch.page.wording.{code}").VOCABULARY
    return vocabulary


def all_vocabularies() -> tuple[Vocabulary, ...]:
    """Every language module that exists, in ``LANGUAGE_CODES`` order."""
    found = []
    for code in LANGUAGE_CODES:
        try:
            found.append(load(code))
        except ModuleNotFoundError:
            continue
    return tuple(found)
