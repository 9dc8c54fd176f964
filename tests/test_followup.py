"""`widerspruch followup`: a reminder to Meta or a complaint draft, filled from the ledger."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.records import EMAIL, SENT_AT, make_objection, meta_email, write_email
from widerspruch.cli import app
from widerspruch.ledger import Ledger, Objection
from widerspruch.proof.followup import (
    AUTHORITIES,
    KINDS,
    letter_languages,
    load_template,
    write_followup,
)
from widerspruch.proof.replies import import_reply
from widerspruch.services import registry
from widerspruch.states import Status

LATE = datetime(2026, 3, 12, 8, 0, tzinfo=UTC)  # 12 days past the deadline of 2026-02-28


def followup(data_dir: Path, objection: Objection, kind: str, language: str | None = None) -> str:
    with Ledger.open(data_dir) as ledger:
        attachments = ledger.attachments(objection.id)
        objection = ledger.get(objection.id)
    return write_followup(objection, attachments, kind=kind, language=language, now=LATE).text


LETTER_SETS = sorted({flow.controller.letters for flow in registry().flows})


@pytest.mark.parametrize(
    ("letters", "kind", "language"),
    [(s, k, lang) for s in LETTER_SETS for k in KINDS for lang in letter_languages(s)],
)
def test_every_bundled_text_loads_with_known_placeholders(
    letters: str, kind: str, language: str
) -> None:
    template = load_template(kind, language, letters)
    assert template.version == "1"
    assert template.description
    assert "{manifest_sha256}" in template.body


def test_reminder_names_date_service_account_deadline_and_hash(data_dir: Path) -> None:
    objection = make_objection(data_dir)

    text = followup(data_dir, objection, "reminder", "en")

    assert "Reminder: my objection to AI training of 31 January 2026 (Facebook" in text
    assert "on 31 January 2026 at 09:14 UTC" in text
    assert EMAIL in text
    assert "by 28 February 2026. That deadline passed 12 day(s) ago." in text
    assert "I have received no answer from you." in text
    assert objection.manifest_sha256 is not None
    assert objection.manifest_sha256 in text
    assert "Art. 21(1) GDPR" in text
    assert "{" not in text


def test_reminder_in_german(data_dir: Path) -> None:
    objection = make_objection(data_dir, language="de")
    text = followup(data_dir, objection, "reminder")
    assert "Erinnerung: mein Widerspruch gegen KI-Training vom 31.01.2026 (Facebook" in text
    assert "seit 12 Tag(en) abgelaufen" in text
    assert "Art. 21 Abs. 1 DSGVO" in text
    assert str(objection.manifest_sha256) in text


def test_reminder_in_polish(data_dir: Path) -> None:
    objection = make_objection(data_dir, country="PL", language="pl")
    text = followup(data_dir, objection, "reminder")
    assert text.startswith(
        "Temat: Ponaglenie – mój sprzeciw wobec trenowania sztucznej inteligencji "
        "z dnia 31.01.2026 r. (Facebook, jana@example.org)\n"
    )
    assert "w dniu 31.01.2026 r. o godz. 09:14 UTC" in text
    assert "do dnia 28.02.2026 r. Od upływu tego terminu minęło dni: 12." in text
    assert "Do dnia dzisiejszego nie udzielili mi Państwo odpowiedzi." in text
    assert "na podstawie art. 21 ust. 1 RODO" in text
    assert "(art. 17 ust. 1 lit. c RODO)" in text
    assert str(objection.manifest_sha256) in text
    assert "{" not in text


def test_complaint_in_french_goes_to_the_cnil(data_dir: Path) -> None:
    objection = make_objection(data_dir, country="FR", language="fr")
    with Ledger.open(data_dir) as ledger:
        attachments = ledger.attachments(objection.id)
    written = write_followup(objection, attachments, kind="complaint", language=None, now=LATE)
    text = written.text
    assert written.language == "fr"
    assert text.startswith(
        "À : Commission nationale de l'informatique et des libertés (CNIL)\n"
        "(https://www.cnil.fr)\nDate : 12/03/2026\n"
    )
    assert "Réclamation fondée sur l'article 77 du RGPD" in text
    assert "Le 31/01/2026 à 09:14 UTC, je me suis opposé(e)" in text
    assert "Meta ne m'a pas répondu. En vertu de l'article 12, paragraphe 3, du RGPD" in text
    assert "au plus tard le 28/02/2026 ; ce délai a expiré depuis 12 jour(s)." in text
    assert "la Data Protection Commission irlandaise (article 56 du RGPD)" in text
    assert f"« {objection.justification} »" in text
    assert str(objection.manifest_sha256) in text
    assert "{" not in text
    assert any("name and address in the brackets" in hint for hint in written.hints)


def test_polish_complaint_after_a_refusal_cites_metas_email(data_dir: Path, tmp_path: Path) -> None:
    objection = make_objection(data_dir, country="PL", language="pl")
    refusal = meta_email(
        "We cannot take further action on your objection.",
        date=SENT_AT + timedelta(days=3),
    )
    imported = import_reply(data_dir, objection, write_email(tmp_path, "no.eml", refusal))

    text = followup(data_dir, objection, "complaint")

    assert text.startswith("Do: Prezes Urzędu Ochrony Danych Osobowych (UODO)\n")
    assert "W dniu 03.02.2026 r. Meta odrzuciła sprzeciw w wiadomości e-mail" in text
    assert "(art. 21 ust. 1 zdanie drugie RODO)" in text
    assert imported.sha256 in text


def test_a_letter_in_polish_from_germany_names_the_land_authority_in_polish(
    data_dir: Path,
) -> None:
    objection = make_objection(data_dir, country="DE", language="pl")
    text = followup(data_dir, objection, "complaint")
    assert text.startswith("Do: [organ ochrony danych osobowych właściwego kraju związkowego]\n")
    assert "https://www.bfdi.bund.de" in text


@pytest.mark.parametrize(
    ("country", "authority"),
    [
        ("DE", "[the data protection authority of your Land]"),
        ("AT", "Österreichische Datenschutzbehörde"),
        ("FR", "Commission nationale de l'informatique et des libertés (CNIL)"),
        ("IE", "Data Protection Commission (DPC)"),
        ("NL", "Autoriteit Persoonsgegevens"),
        ("IT", "Garante per la protezione dei dati personali"),
        ("ES", "Agencia Española de Protección de Datos (AEPD)"),
        ("PL", "Prezes Urzędu Ochrony Danych Osobowych (UODO)"),
        ("PT", "Comissão Nacional de Proteção de Dados (CNPD)"),
        ("LU", "Commission nationale pour la protection des données (CNPD)"),
        ("CZ", "Data Protection Commission (DPC)"),  # not in the table: Meta's lead authority
    ],
)
def test_complaint_goes_to_the_authority_of_the_objections_country(
    data_dir: Path, country: str, authority: str
) -> None:
    objection = make_objection(data_dir, country=country)
    text = followup(data_dir, objection, "complaint", "en")
    assert text.startswith(f"To: {authority}\n")
    assert "Irish Data Protection Commission is therefore the lead supervisory authority" in text
    assert "On 31 January 2026 at 09:14 UTC" in text
    assert str(objection.manifest_sha256) in text


def test_german_complaint_asks_to_pick_the_land_authority(data_dir: Path) -> None:
    objection = make_objection(data_dir, language="de")
    with Ledger.open(data_dir) as ledger:
        attachments = ledger.attachments(objection.id)
    written = write_followup(objection, attachments, kind="complaint", language=None, now=LATE)
    assert written.text.startswith("An: [die Datenschutzaufsichtsbehörde Ihres Bundeslandes]")
    assert "Beschwerde nach Art. 77 DSGVO" in written.text
    assert any("BfDI" in hint and "Land" in hint for hint in written.hints)
    assert AUTHORITIES["DE"].web in written.text


def test_complaint_after_a_refusal_cites_metas_email(data_dir: Path, tmp_path: Path) -> None:
    objection = make_objection(data_dir)
    refusal = meta_email(
        "We cannot take further action on your objection.",
        date=SENT_AT + timedelta(days=3),
    )
    imported = import_reply(data_dir, objection, write_email(tmp_path, "no.eml", refusal))
    assert imported.objection.status is Status.REJECTED

    text = followup(data_dir, objection, "complaint", "en")

    assert "On 3 February 2026 Meta refused the objection by email" in text
    assert imported.sha256 in text
    assert "Art. 21(1), second sentence" in text


def test_no_reminder_after_a_refusal_and_nothing_after_an_acknowledgement(
    data_dir: Path,
) -> None:
    rejected = make_objection(data_dir, status=Status.REJECTED)
    acknowledged = make_objection(data_dir, service="instagram", status=Status.ACKNOWLEDGED)
    runner = CliRunner()
    for number, kind, message in (
        (rejected.id, "reminder", "Use --kind complaint"),
        (acknowledged.id, "complaint", "Meta acknowledged objection #2"),
    ):
        result = runner.invoke(
            app, ["followup", str(number), "--kind", kind, "--data-dir", str(data_dir)]
        )
        assert result.exit_code == 2
        assert message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_followup_cli_prints_or_writes_a_private_file(data_dir: Path, tmp_path: Path) -> None:
    make_objection(data_dir, sent_at=datetime.now(UTC) - timedelta(days=90))
    runner = CliRunner()

    printed = runner.invoke(
        app, ["followup", "1", "--kind", "reminder", "--data-dir", str(data_dir)]
    )
    assert printed.exit_code == 0, printed.output
    assert printed.stdout.startswith("Subject: Reminder")
    # How to send it, kept apart from the text: where the service takes such letters.
    assert "https://www.facebook.com/privacy/center" in printed.stderr
    assert "https://www.facebook.com/privacy/center" not in printed.stdout

    target = tmp_path / "complaint.txt"
    written = runner.invoke(
        app,
        [
            "followup",
            "1",
            "--kind",
            "complaint",
            "--language",
            "de",
            "--output",
            str(target),
            "--data-dir",
            str(data_dir),
        ],
    )
    assert written.exit_code == 0, written.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "Beschwerde nach Art. 77 DSGVO" in target.read_text("utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["followup", "1", "--kind", "letter"], "--kind"),
        (["followup", "1", "--kind", "reminder", "--language", "tlh"], "--language"),
        (["followup", "7", "--kind", "reminder"], "no objection with id 7"),
        (["followup", "x", "--kind", "reminder"], "not an objection number"),
    ],
)
def test_bad_followup_input_is_one_line(data_dir: Path, args: list[str], message: str) -> None:
    make_objection(data_dir)
    result = CliRunner().invoke(app, [*args, "--data-dir", str(data_dir)])
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_never_sent_objection_gets_no_followup(data_dir: Path) -> None:
    make_objection(data_dir, status=Status.FAILED, sent_at=None)
    result = CliRunner().invoke(
        app, ["followup", "1", "--kind", "complaint", "--data-dir", str(data_dir)]
    )
    assert result.exit_code == 2
    assert "never sent" in result.stderr


def test_every_followup_written_is_kept_in_the_archive_and_verified(
    data_dir: Path, tmp_path: Path
) -> None:
    objection = make_objection(data_dir, sent_at=datetime.now(UTC) - timedelta(days=90))
    folder = Path(objection.evidence_dir or "")
    runner = CliRunner()
    args = ["followup", "1", "--data-dir", str(data_dir)]

    printed = runner.invoke(app, [*args, "--kind", "reminder"])
    assert printed.exit_code == 0, printed.output
    kept = folder / "reminder-1.txt"
    assert kept.read_text("utf-8") == printed.stdout
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert f"A copy is kept in the archive: {kept}" in printed.stderr
    again = runner.invoke(app, [*args, "--kind", "reminder"])  # the same text: kept once
    assert again.exit_code == 0, again.output
    assert not (folder / "reminder-2.txt").exists()

    target = tmp_path / "complaint.txt"
    written = runner.invoke(app, [*args, "--kind", "complaint", "--output", str(target), "--json"])
    assert written.exit_code == 0, written.output
    assert json.loads(written.stdout)["kept"] == str(folder / "complaint-1.txt")
    assert (folder / "complaint-1.txt").read_text("utf-8") == target.read_text("utf-8")
    with Ledger.open(data_dir, read_only=True) as ledger:
        added = [(a.kind, Path(a.path).name) for a in ledger.attachments(1)]
        sealed = [(s.kind, s.path) for s in ledger.seals()]
    assert added == [("followup", "reminder-1.txt"), ("followup", "complaint-1.txt")]
    assert sealed[1:] == [
        ("followup", "evidence/00001-facebook/reminder-1.txt"),
        ("followup", "evidence/00001-facebook/complaint-1.txt"),
    ]
    verified = runner.invoke(app, ["verify", "1", "--data-dir", str(data_dir)])
    assert verified.exit_code == 0, verified.output
    assert "(4 files)" in verified.stdout  # manifest, objection.json, two follow-ups

    kept.write_text(kept.read_text("utf-8").replace("Reminder", "Note"), "utf-8")
    (folder / "complaint-1.txt").unlink()
    broken = runner.invoke(app, ["verify", "1", "--data-dir", str(data_dir)])
    assert (broken.exit_code, broken.stdout) == (
        1,
        "changed: reminder-1.txt\nmissing: complaint-1.txt\n",
    )


LINKEDIN = "LinkedIn Ireland Unlimited Company"
LINKEDIN_ADDRESS = "Wilton Plaza, Wilton Place, Dublin 2, Ireland"
META_CONTROLLER = "Meta Platforms Ireland Limited"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", ["en", "de"])
def test_a_linkedin_objections_letters_go_to_linkedin_and_never_name_meta(
    data_dir: Path, kind: str, language: str
) -> None:
    objection = make_objection(data_dir, service="linkedin", language=language)
    result = CliRunner().invoke(app, ["followup", "1", "--kind", kind, "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    # The quoted justification is the test's own text, which speaks of Meta.
    letter = result.stdout.replace(objection.justification, "")
    addressed = "An: " if language == "de" else "To: "
    if kind == "reminder":
        assert f"{addressed}{LINKEDIN}, " in letter
    else:
        assert f": {LINKEDIN}, {LINKEDIN_ADDRESS} (LinkedIn)" in letter  # the controller line
        assert f"{LINKEDIN}." in letter  # whom the complaint is against
    assert LINKEDIN_ADDRESS in letter
    assert "meta" not in letter.lower()
    assert "meta" not in result.stderr.lower()  # nor do the hints about sending it


@pytest.mark.parametrize("kind", KINDS)
def test_a_facebook_objections_letters_still_go_to_meta(data_dir: Path, kind: str) -> None:
    objection = make_objection(data_dir)
    letter = followup(data_dir, objection, kind, "en").replace(objection.justification, "")
    assert f"{META_CONTROLLER}, " in letter
    assert "Merrion Road, Dublin 4" in letter
    assert "AI at Meta" in letter  # Meta's own letter set, not another company's
    assert "linkedin" not in letter.lower()


def test_a_language_the_companys_letters_lack_is_refused_naming_those_it_has(
    data_dir: Path,
) -> None:
    make_objection(data_dir, service="linkedin", language="fr")
    runner = CliRunner()
    args = ["followup", "1", "--kind", "reminder", "--data-dir", str(data_dir)]
    result = runner.invoke(app, [*args, "--language", "fr"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "widerspruch: error: --language: no follow-up letters to LinkedIn in 'fr'; "
        "available: de, en"
    )
    # Without --language, a French objection gets the letter in English.
    written = runner.invoke(app, args)
    assert written.exit_code == 0, written.output
    assert written.stdout.startswith("Subject: Reminder")


def test_what_cannot_be_followed_up_names_the_services_company(data_dir: Path) -> None:
    rejected = make_objection(data_dir, service="linkedin", status=Status.REJECTED)
    acknowledged = make_objection(data_dir, service="linkedin", status=Status.ACKNOWLEDGED)
    runner = CliRunner()
    for number, kind, message in (
        (rejected.id, "reminder", f"LinkedIn refused objection #{rejected.id}"),
        (acknowledged.id, "complaint", f"LinkedIn acknowledged objection #{acknowledged.id}"),
    ):
        result = runner.invoke(
            app, ["followup", str(number), "--kind", kind, "--data-dir", str(data_dir)]
        )
        assert result.exit_code == 2
        assert message in result.stderr
        assert "Meta" not in result.stderr
