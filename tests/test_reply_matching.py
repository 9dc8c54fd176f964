"""A reply counts only for the objection it answers: sender, date, content, one email
for one objection, its DKIM signature; and every other kind of Meta mail is refused."""

from __future__ import annotations

import json
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.records import (
    EMAIL,
    SENT_AT,
    DkimKey,
    make_objection,
    meta_email,
    write_email,
)
from widerspruch.cli import app
from widerspruch.ledger import Ledger
from widerspruch.proof.reading import ReplyMismatch, read_reply
from widerspruch.proof.receipt import receipt_html
from widerspruch.proof.replies import import_message, stored_replies
from widerspruch.states import Status

LATER = SENT_AT + timedelta(days=3)
ACCEPTED = (
    "Hi Jana,\n\nWe have reviewed your objection to the use of your information for AI at "
    "Meta, and we'll honour it from now on.\n\nPrivacy Operations"
)


def _confirm(data_dir: Path, eml: Path, objection: int = 1) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app, ["confirm", str(objection), "--eml", str(eml), "--data-dir", str(data_dir)]
    )
    return result.exit_code, result.stdout, result.stderr


def _status(data_dir: Path, objection: int = 1) -> Status:
    with Ledger.open(data_dir) as ledger:
        return ledger.get(objection).status


def _raw(
    *,
    subject: str,
    plain: str | None = None,
    html: str | None = None,
    charset_cte: str | None = None,
    sender: str = "Facebook <noreply@facebookmail.com>",
) -> bytes:
    """A hand-built email: multipart or single, with the body encoding asked for."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = EMAIL
    message["Subject"] = subject
    message["Date"] = format_datetime(LATER)
    message["Message-ID"] = f"<{abs(hash((subject, plain, html)))}@facebookmail.com>"
    if plain is not None:
        message.set_content(plain, cte=charset_cte)
    if html is not None:
        if plain is None:
            message.set_content(html, subtype="html", cte=charset_cte)
        else:
            message.add_alternative(html, subtype="html", cte=charset_cte)
    return bytes(message)


# -- what is never an answer --------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "reason"),
    [
        pytest.param(
            meta_email(
                "Hi Jana, we noticed a new login to your account from Chrome on Linux. "
                "If this was you, you don't need to do anything. Was this you?",
                date=LATER,
                subject="New login to Facebook from Chrome on Linux",
                sender="Facebook <security@facebookmail.com>",
            ),
            "security alert",
            id="login-alert",
        ),
        pytest.param(
            meta_email(
                "Use this code to confirm your objection about AI at Meta: 482913.",
                date=LATER,
                subject="482913 is your Facebook confirmation code",
            ),
            "login or confirmation code",
            id="login-code",
        ),
        pytest.param(
            meta_email(
                "Meta AI is here. Try it now: ask anything, create images and more.",
                date=LATER,
                subject="Discover new features",
            ),
            "marketing or a notification",
            id="marketing",
        ),
        pytest.param(
            meta_email(
                "Max tagged you in a photo. See it on Facebook.",
                date=LATER,
                subject="You have 3 new notifications",
            ),
            "does not speak of an objection",
            id="notification",
        ),
        pytest.param(
            meta_email(
                ACCEPTED, date=LATER, sender="Facebook <noreply@facebookmail.com.evil.example>"
            ),
            "not from Facebook",
            id="look-alike-domain",
        ),
        pytest.param(
            meta_email(
                ACCEPTED, date=LATER, sender='"noreply@facebookmail.com" <privacy@evil.example>'
            ),
            "is from privacy@evil.example",
            id="display-name-only",
        ),
        pytest.param(
            meta_email(ACCEPTED, date=LATER, sender="Facebook <privacy@evil.example>"),
            "is from privacy@evil.example",
            id="display-name-facebook",
        ),
        pytest.param(
            meta_email(ACCEPTED, date=SENT_AT - timedelta(minutes=5)),
            "before objection #1 was sent",
            id="dated-before-submission",
        ),
        pytest.param(
            meta_email(ACCEPTED, date=SENT_AT + timedelta(days=400)),
            "in the future",
            id="dated-in-the-future",
        ),
        pytest.param(
            meta_email(ACCEPTED, date=LATER, sender="Instagram <no-reply@mail.instagram.com>"),
            "Instagram's mail",
            id="other-service-domain",
        ),
        pytest.param(
            meta_email(
                ACCEPTED + "\n\nYour Instagram account jana_k is covered.",
                date=LATER,
                sender="Meta <privacy@meta.com>",
            ),
            "speaks of Instagram, not of Facebook",
            id="other-service-named",
        ),
        pytest.param(
            meta_email(
                "Thanks for writing to us about AI at Meta and your objection. Learn more "
                "in the Privacy Center.",
                date=LATER,
            ),
            "neither accepts nor refuses it",
            id="no-answer",
        ),
    ],
)
def test_mail_that_is_not_the_answer_never_acknowledges(
    data_dir: Path, tmp_path: Path, email: bytes, reason: str
) -> None:
    make_objection(data_dir)
    code, _, stderr = _confirm(data_dir, write_email(tmp_path, "mail.eml", email))
    assert code == 2
    assert reason in stderr
    assert _status(data_dir) is Status.CONFIRMED
    with Ledger.open(data_dir) as ledger:
        assert ledger.attachments(1) == []


def test_one_email_acknowledges_one_objection_by_hash_and_by_message_id(
    data_dir: Path, tmp_path: Path
) -> None:
    make_objection(data_dir)
    make_objection(data_dir)  # the same account's second objection (forced)
    reply = meta_email(ACCEPTED, date=LATER, message_id="<once@facebookmail.com>")
    eml = write_email(tmp_path, "reply.eml", reply)
    assert _confirm(data_dir, eml, 1)[0] == 0

    code, _, stderr = _confirm(data_dir, eml, 2)
    assert code == 2
    assert "already stored for objection #1" in stderr
    # The same email saved again by another mail program: other bytes, same Message-ID.
    resaved = write_email(tmp_path, "resaved.eml", b"X-Saved-By: another client\n" + reply)
    code, _, stderr = _confirm(data_dir, resaved, 2)
    assert code == 2
    assert "one email answers one objection" in stderr
    assert _status(data_dir, 2) is Status.CONFIRMED


def test_a_refusal_that_also_says_received_is_a_refusal_and_followup_offers_the_complaint(
    data_dir: Path, tmp_path: Path
) -> None:
    make_objection(data_dir)
    refusal = meta_email(
        "We received your objection about AI at Meta. After review, we rely on legitimate "
        "interests and will not apply it.",
        date=LATER,
    )
    code, stdout, _ = _confirm(data_dir, write_email(tmp_path, "no.eml", refusal))
    assert code == 0
    assert "Meta refused objection #1" in stdout
    assert _status(data_dir) is Status.REJECTED

    result = CliRunner().invoke(app, ["followup", "1", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "Data Protection" in result.stdout or "Datenschutz" in result.stdout
    assert "Meta refused objection #1" in result.stderr
    reminder = CliRunner().invoke(
        app, ["followup", "1", "--kind", "reminder", "--data-dir", str(data_dir)]
    )
    assert reminder.exit_code == 2
    assert "Use --kind complaint" in reminder.stderr


def test_a_request_for_more_information_is_recorded_as_such(data_dir: Path, tmp_path: Path) -> None:
    make_objection(data_dir)
    ask = meta_email(
        "To continue with your objection about AI at Meta we need additional details. "
        "Kindly reply with the link to your profile.",
        date=LATER,
    )
    assert _confirm(data_dir, write_email(tmp_path, "ask.eml", ask))[0] == 0
    assert _status(data_dir) is Status.INFO_REQUESTED


# -- encodings and structure --------------------------------------------------------------

GERMAN_REFUSAL = (
    "Hallo Jana, deinem Widerspruch gegen die Nutzung deiner Daten für KI bei Meta "
    "können wir nicht stattgeben. Grüße, dein Datenschutzteam"
)


@pytest.mark.parametrize(
    "email",
    [
        pytest.param(
            _raw(subject="Widerspruch", plain=GERMAN_REFUSAL, charset_cte="quoted-printable"),
            id="quoted-printable",
        ),
        pytest.param(
            _raw(subject="Widerspruch", plain=GERMAN_REFUSAL, charset_cte="base64"), id="base64"
        ),
        pytest.param(
            _raw(
                subject="Widerspruch",
                plain="Diese E-Mail braucht HTML.",
                html=f"<html><body><table><tr><td><p>{GERMAN_REFUSAL}</p></td></tr></table>",
            ),
            id="multipart-alternative",
        ),
        pytest.param(
            _raw(
                subject="Widerspruch",
                html=f"<html><head><style>p{{}}</style></head><body><p>{GERMAN_REFUSAL}</p>",
                charset_cte="base64",
            ),
            id="html-only-base64",
        ),
        pytest.param(
            _raw(
                # RFC 2047: "Über deinen Widerspruch (KI bei Meta)", quoted-printable.
                subject="=?utf-8?q?=C3=9Cber_deinen_Widerspruch_=28KI_bei_Meta=29?=",
                plain="Hallo Jana, leider können wir dem nicht entsprechen.",
            ),
            id="rfc2047-subject",
        ),
    ],
)
def test_encoded_and_multipart_mail_is_read(data_dir: Path, tmp_path: Path, email: bytes) -> None:
    make_objection(data_dir)
    code, _, stderr = _confirm(data_dir, write_email(tmp_path, "m.eml", email))
    assert code == 0, stderr
    assert _status(data_dir) is Status.REJECTED


# -- languages: wordings the patterns were not written from -------------------------------


@pytest.mark.parametrize(
    ("subject", "body", "status"),
    [
        (
            "Your objection",
            "After review we decided not to act on it, as AI at Meta relies "
            "on legitimate interests.",
            Status.REJECTED,
        ),
        ("AI at Meta", "We have looked at your objection and will honour it.", Status.ACKNOWLEDGED),
        (
            "AI at Meta",
            "Your objection: we need additional details, please send us the profile link.",
            Status.INFO_REQUESTED,
        ),
        (
            "KI bei Meta",
            "Wir haben deinen Widerspruch geprüft und werden ihm ab sofort nachkommen.",
            Status.ACKNOWLEDGED,
        ),
        ("KI bei Meta", "Deinem Widerspruch werden wir nicht nachkommen.", Status.REJECTED),
        (
            "KI-Nutzung",
            "Um deinen Widerspruch zu bearbeiten, benötigen wir zusätzliche "
            "Angaben zu deinem Konto.",
            Status.INFO_REQUESTED,
        ),
        (
            "L'IA chez Meta",
            "Nous avons examiné votre opposition : elle sera désormais appliquée.",
            Status.ACKNOWLEDGED,
        ),
        (
            "L'IA chez Meta",
            "Malheureusement, votre opposition ne peut pas être acceptée.",
            Status.REJECTED,
        ),
        (
            "L'IA chez Meta",
            "Afin de traiter votre opposition, nous avons besoin d'informations complémentaires.",
            Status.INFO_REQUESTED,
        ),
        (
            "AI bij Meta",
            "We hebben je bezwaar tegen het gebruik van je gegevens gehonoreerd.",
            Status.ACKNOWLEDGED,
        ),
        (
            "AI bij Meta",
            "Je bezwaar kunnen we op dit moment helaas niet inwilligen.",
            Status.REJECTED,
        ),
        (
            "AI bij Meta",
            "Om je bezwaar te behandelen hebben we aanvullende gegevens van je nodig.",
            Status.INFO_REQUESTED,
        ),
        (
            "AI w Meta",
            "Uwzględniliśmy Twój sprzeciw wobec wykorzystywania informacji.",
            Status.ACKNOWLEDGED,
        ),
        ("AI w Meta", "Twój sprzeciw nie został przez nas uwzględniony.", Status.REJECTED),
        (
            "AI w Meta",
            "Aby rozpatrzyć Twój sprzeciw, potrzebujemy dodatkowych informacji.",
            Status.INFO_REQUESTED,
        ),
        (
            "IA di Meta",
            "La tua opposizione all'uso delle informazioni è stata accolta.",
            Status.ACKNOWLEDGED,
        ),
        ("IA di Meta", "La tua opposizione non può essere accolta.", Status.REJECTED),
        (
            "IA di Meta",
            "Per gestire la tua opposizione abbiamo bisogno di ulteriori informazioni.",
            Status.INFO_REQUESTED,
        ),
        (
            "IA de Meta",
            "Tu oposición al uso de tu información ha sido aceptada.",
            Status.ACKNOWLEDGED,
        ),
        ("IA de Meta", "Tu oposición no puede ser atendida en este momento.", Status.REJECTED),
        (
            "IA de Meta",
            "Para tramitar tu oposición, necesitamos información adicional.",
            Status.INFO_REQUESTED,
        ),
        # A sentence about what may happen says nothing of this answer.
        (
            "AI at Meta",
            "We received your objection. If we need more information, we will contact you.",
            Status.ACKNOWLEDGED,
        ),
    ],
)
def test_replies_are_read_in_seven_languages(subject: str, body: str, status: Status) -> None:
    assert read_reply(subject, body).status is status


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Neue Anmeldung bei Facebook", "Jemand hat sich von Firefox unter Windows angemeldet."),
        ("Nouvelle connexion", "Une nouvelle connexion à votre compte. Était-ce vous ?"),
        ("Tu código", "123456 es tu código de confirmación para tu oposición a la IA."),
        ("Codice", "Inserisci questo codice per confermare l'opposizione all'IA: 99812."),
        ("Nowe logowanie", "Zalogowano na Twoje konto z nowego urządzenia."),
    ],
)
def test_alerts_and_codes_are_refused_in_other_languages(subject: str, body: str) -> None:
    with pytest.raises(ReplyMismatch):
        read_reply(subject, body)


# -- DKIM ---------------------------------------------------------------------------------


def test_metas_dkim_signature_is_verified_against_the_key_and_shown_on_the_receipt(
    data_dir: Path, tmp_path: Path
) -> None:
    objection = make_objection(data_dir)
    key = DkimKey()
    signed = key.sign(meta_email(ACCEPTED, date=LATER))

    imported = import_message(data_dir, objection, signed, dns=key.dns)

    assert imported.dkim.result == "pass"
    assert (imported.dkim.domain, imported.dkim.selector) == ("facebookmail.com", "s2048")
    assert imported.meta_signed
    assert key.lookups == [b"s2048._domainkey.facebookmail.com."]
    assert "Meta's signature was verified" in imported.explanation()[-1]
    with Ledger.open(data_dir) as ledger:
        [reply] = stored_replies(ledger.attachments(1))
        html = receipt_html(ledger.get(1), replies=[reply])
    assert reply.meta_signed
    assert reply.dkim is not None
    assert reply.dkim.result == "pass"
    assert "signature (DKIM) verified" in html


@pytest.mark.parametrize(
    ("change", "result", "meta_signed"),
    [
        pytest.param("tamper", "fail", False, id="body-changed-after-signing"),
        pytest.param("other-key", "fail", False, id="signed-with-another-key"),
        pytest.param("no-key", "unverified", False, id="key-not-found"),
        pytest.param("other-domain", "pass", False, id="signed-by-a-stranger"),
    ],
)
def test_a_signature_that_is_not_metas_is_recorded_as_what_it_is(
    data_dir: Path, tmp_path: Path, change: str, result: str, meta_signed: bool
) -> None:
    objection = make_objection(data_dir)
    key = DkimKey(domain="evil.example") if change == "other-domain" else DkimKey()
    signed = key.sign(meta_email(ACCEPTED, date=LATER))
    dns = key.dns
    if change == "tamper":
        signed = signed.replace(b"honour it", b"honour it, later")
    elif change == "other-key":
        dns = DkimKey().dns
    elif change == "no-key":

        def dns(name: bytes, timeout: int = 5) -> bytes | None:
            return None

    imported = import_message(data_dir, objection, signed, dns=dns)

    assert imported.dkim.result == result
    assert imported.meta_signed is meta_signed
    with Ledger.open(data_dir) as ledger:
        [reply] = stored_replies(ledger.attachments(1))
        detail = json.loads(ledger.attachments(1)[0].detail or "")
        html = receipt_html(ledger.get(1), replies=[reply])
    assert detail["dkim"]["result"] == result
    assert detail["dkim"]["domain"] == key.domain
    assert detail["meta_signed"] is meta_signed
    assert "signature (DKIM) not verified" in html
