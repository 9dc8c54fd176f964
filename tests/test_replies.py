"""`widerspruch confirm`: Meta's reply email is checked, kept with its hash, and read."""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tests.records import EMAIL, SENT_AT, make_objection, meta_email, write_email
from widerspruch.cli import app
from widerspruch.ledger import Ledger
from widerspruch.proof.evidence import sha256_file, verify
from widerspruch.states import Status

LATER = SENT_AT + timedelta(hours=3)
HONOURED = (
    "Hi Jana,\n\nWe'll honor your objection. This means your request will be applied going "
    "forward to developing and improving AI at Meta.\n\nIf you have other questions, visit "
    "the Privacy Center.\n\nThanks,\nPrivacy Operations"
)
REFUSED = (
    "Hi Jana,\n\nThanks for contacting us. We reviewed your request. Based on the information "
    "you provided, we cannot take further action on your objection.\n\nPrivacy Operations"
)
MORE_PLEASE = (
    "Hi Jana,\n\nWe need more information to process your request. Please provide the "
    "username of the account you are writing about.\n\nPrivacy Operations"
)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def confirm(runner: CliRunner, data_dir: Path, eml: Path, *extra: str) -> Result:
    return runner.invoke(
        app, ["confirm", "1", "--eml", str(eml), "--data-dir", str(data_dir), *extra]
    )


def test_a_matching_reply_is_stored_hashed_and_acknowledges(
    runner: CliRunner, data_dir: Path, tmp_path: Path
) -> None:
    objection = make_objection(data_dir)
    eml = write_email(tmp_path / "mail", "reply.eml", meta_email(HONOURED, date=LATER))

    result = confirm(runner, data_dir, eml, "--json")

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["status"] == "acknowledged"
    assert document["previous_status"] == "confirmed"
    assert "honor your objection" in document["phrase"]
    stored = Path(document["stored"])
    assert stored == Path(objection.evidence_dir or "") / "reply-1.eml"
    assert stored.read_bytes() == eml.read_bytes()
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    with Ledger.open(data_dir) as ledger:
        [attachment] = ledger.attachments(1)
        now = ledger.get(1)
        kinds = [(e.kind, e.state) for e in ledger.events(1)]
    assert attachment.kind == "reply"
    assert json.loads(attachment.detail or "")["says"] == "acknowledged"
    assert attachment.sha256 == sha256_file(stored) == document["sha256"]
    assert now.status is Status.ACKNOWLEDGED
    assert "reply-1.eml" in (now.detail or "")
    assert ("attachment", "reply") in kinds
    assert ("status", "acknowledged") in kinds
    # The sealed bundle is untouched: the reply is outside the manifest.
    assert verify(stored.parent, objection.manifest_sha256).intact


def test_the_person_is_told_plainly_what_a_refusal_means(
    runner: CliRunner, data_dir: Path, tmp_path: Path
) -> None:
    make_objection(data_dir)
    eml = write_email(tmp_path, "reply.eml", meta_email(REFUSED, date=LATER))

    result = confirm(runner, data_dir, eml)

    assert result.exit_code == 0, result.output
    assert "Meta refused objection #1" in result.stdout
    assert "cannot take further action" in result.stdout
    assert "widerspruch followup 1 --kind complaint" in result.stdout
    with Ledger.open(data_dir) as ledger:
        assert ledger.get(1).status is Status.REJECTED
        assert json.loads(ledger.attachments(1)[0].detail or "")["says"] == "rejected"


def test_a_request_for_more_information_is_recorded_and_explained(
    runner: CliRunner, data_dir: Path, tmp_path: Path
) -> None:
    make_objection(data_dir)
    eml = write_email(tmp_path, "reply.eml", meta_email(MORE_PLEASE, date=LATER))

    result = confirm(runner, data_dir, eml)

    assert result.exit_code == 0, result.output
    assert "Meta asks for more information about objection #1" in result.stdout
    assert "never a password" in result.stdout
    assert "widerspruch followup 1 --kind reminder" in result.stdout
    with Ledger.open(data_dir) as ledger:
        assert ledger.get(1).status is Status.INFO_REQUESTED


@pytest.mark.parametrize(
    ("email", "message"),
    [
        pytest.param(
            meta_email(HONOURED, date=LATER, sender="Meta <privacy@meta-support.example>"),
            "not from Facebook",
            id="sender-not-meta",
        ),
        pytest.param(
            meta_email(HONOURED.replace("Jana", "Max"), date=LATER, to="max@example.net"),
            "addressed to max@example.net and does not mention jana@example.org",
            id="wrong-account",
        ),
        pytest.param(
            meta_email(HONOURED, date=SENT_AT - timedelta(days=2)),
            "before objection #1 was sent",
            id="older-than-submission",
        ),
        pytest.param(b"just some text\n", "no sender", id="not-an-email"),
    ],
)
def test_an_email_that_is_not_metas_answer_is_refused_with_the_reason(
    runner: CliRunner, data_dir: Path, tmp_path: Path, email: bytes, message: str
) -> None:
    objection = make_objection(data_dir)
    eml = write_email(tmp_path, "reply.eml", email)

    result = confirm(runner, data_dir, eml)

    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    with Ledger.open(data_dir) as ledger:
        assert ledger.get(1).status is Status.CONFIRMED
        assert ledger.attachments(1) == []
    assert not list(Path(objection.evidence_dir or "").glob("reply-*"))


def test_the_account_may_be_named_in_the_body_or_delivered_to(
    runner: CliRunner, data_dir: Path, tmp_path: Path
) -> None:
    make_objection(data_dir)
    forwarded = meta_email(
        f"{HONOURED}\n\nThis message was sent to {EMAIL}.",
        date=LATER,
        to="jana.private@example.net",
        sender="Facebook <notification@support.facebook.com>",
    )
    eml = write_email(tmp_path, "reply.eml", forwarded)
    assert confirm(runner, data_dir, eml).exit_code == 0


def test_an_html_only_reply_is_read_as_text(
    runner: CliRunner, data_dir: Path, tmp_path: Path
) -> None:
    make_objection(data_dir)
    html = meta_email(
        "Wir können deinem Einspruch leider nicht nachkommen.",
        date=LATER,
        html=True,
        subject="Dein Einspruch gegen die Nutzung deiner Daten für KI bei Meta",
    )
    eml = write_email(tmp_path, "reply.eml", html)
    result = confirm(runner, data_dir, eml, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "rejected"


def test_the_same_email_is_not_stored_twice_and_an_older_one_does_not_overrule(
    runner: CliRunner, data_dir: Path, tmp_path: Path
) -> None:
    make_objection(data_dir)
    newer = write_email(tmp_path, "newer.eml", meta_email(HONOURED, date=LATER + timedelta(days=2)))
    older = write_email(tmp_path, "older.eml", meta_email(MORE_PLEASE, date=LATER))
    assert confirm(runner, data_dir, newer).exit_code == 0

    again = confirm(runner, data_dir, newer)
    assert again.exit_code == 2
    assert "already stored as reply-1.eml" in again.stderr

    late = confirm(runner, data_dir, older)
    assert late.exit_code == 0, late.output
    assert "older than a reply already stored" in late.stdout
    with Ledger.open(data_dir) as ledger:
        assert ledger.get(1).status is Status.ACKNOWLEDGED
        says = [json.loads(a.detail or "")["says"] for a in ledger.attachments(1)]
        assert says == ["acknowledged", "info_requested"]


def test_a_reply_to_an_objection_never_sent_is_refused(
    runner: CliRunner, data_dir: Path, tmp_path: Path
) -> None:
    make_objection(data_dir, status=Status.FAILED, sent_at=None)
    eml = write_email(tmp_path, "reply.eml", meta_email(HONOURED, date=LATER))
    result = confirm(runner, data_dir, eml)
    assert result.exit_code == 2
    assert "was never sent (failed)" in result.stderr


def test_a_missing_file_is_one_line(runner: CliRunner, data_dir: Path, tmp_path: Path) -> None:
    make_objection(data_dir)
    result = confirm(runner, data_dir, tmp_path / "nope.eml")
    assert result.exit_code == 2
    assert "--eml: cannot read" in result.stderr


def test_dkim_checked_by_the_mail_provider_is_reported(
    runner: CliRunner, data_dir: Path, tmp_path: Path
) -> None:
    make_objection(data_dir)
    signed = meta_email(
        HONOURED,
        date=LATER,
        extra_headers={
            "Authentication-Results": "mx.example.org; dkim=pass header.i=@facebookmail.com "
            "header.s=s1024-2013-q3 header.d=facebookmail.com; spf=pass"
        },
    )
    eml = write_email(tmp_path, "reply.eml", signed)
    result = confirm(runner, data_dir, eml, "--json")
    document = json.loads(result.stdout)
    assert document["dkim"]["provider_pass"] == "facebookmail.com"
    assert document["dkim"]["result"] == "none"  # no signature in the file itself
    assert document["meta_signed"] is False
