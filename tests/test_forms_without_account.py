"""The forms a person sends without an account, end to end on their replicas: Meta's form
for information from third parties, and WhatsApp's reported form for messages with AIs
(pending in the registry until `check` has seen it; enabled here by the test).

Each flow's case is data (`CASES`): the options it needs and what its form posts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import BrowserContext, Route
from typer.testing import CliRunner

from tests.conftest import EMAIL, Harness
from tests.test_batch import run as run_members
from widerspruch import services
from widerspruch.batch import ItemState
from widerspruch.cli import app
from widerspruch.errors import UsageError
from widerspruch.ledger import Ledger
from widerspruch.logs import LOG_FILE, configure, get_logger
from widerspruch.services import Registry, get_flow
from widerspruch.settings import Settings, check_phone
from widerspruch.states import Status
from widerspruch.submit.justification import load
from widerspruch.testing.replay import SUBMIT_PATH, SentForm


@dataclass(frozen=True)
class Case:
    service: str
    options: dict[str, str]  # the details given, by key
    posted: dict[str, str]  # what the form must carry, by field name
    form: str  # the replica of the whole form
    changed: str  # the replica of the form without a field the flow needs
    first: str | None = None  # a replica that asks a first question before the form


CASES = {
    "meta-third-party": Case(
        service="meta-third-party",
        options={"name": "Jana Beispiel", "where": "photos posted by others"},
        posted={
            "name": "Jana Beispiel",
            "where": "photos posted by others",
            "request_type": "third_party",
            "country": "DE",
        },
        form="form",
        changed="form_changed",
        first="choice",
    ),
    "whatsapp": Case(
        service="whatsapp",
        options={"phone": "+49 151 12345678"},
        posted={"phone": "+4915112345678"},
        form="ai_form",
        changed="ai_form_changed",
    ),
}
# The justification written for a form, as its template's words say (in German: the
# language follows --country DE, whatever the page's).
OWN_TEMPLATE = {"meta-third-party": "die Meta von Dritten erhalten hat"}


@pytest.fixture(autouse=True)
def pending_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry as it will be once `check` has seen the pending forms: every flow
    offered (and the watch for a form that now has its flow gone)."""
    current = services.registry()
    enabled = {flow.service for flow in current.pending}
    monkeypatch.setattr(
        services,
        "registry",
        lambda: Registry(
            flows=(*current.flows, *current.pending),
            watches=tuple(w for w in current.watches if w.service not in enabled),
        ),
    )


def run(harness: Harness, case: Case, *, form: str | None = None, **options: Any) -> Any:
    harness.replay.scenario.form = form or case.form
    [result] = harness.submit(case.service, details=case.options, **options).results
    return result


def sent_fields(harness: Harness) -> dict[str, str]:
    [sent] = harness.replay.submissions
    return sent.fields


@pytest.mark.parametrize("code_step", [False, True], ids=["no_code", "emailed_code"])
@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("service", sorted(CASES))
def test_objection_without_an_account_is_confirmed(
    harness: Harness, service: str, language: str, code_step: bool
) -> None:
    case = CASES[service]
    harness.replay.scenario.language = language
    harness.replay.scenario.code_step = code_step

    result = run(harness, case)

    assert result.status is Status.CONFIRMED, result.message
    fields = sent_fields(harness)
    assert fields["email"] == EMAIL
    for name, value in case.posted.items():
        assert fields[name] == value
    assert "Art. 21" in fields["description"]
    if service in OWN_TEMPLATE:
        assert OWN_TEMPLATE[service] in fields["description"]
    # The ledger names the template whose text was sent, not the one asked for.
    with Ledger.open(harness.data_dir, read_only=True) as ledger:
        [objection] = ledger.objections()
    sent = get_flow(service).template_name("standard")
    assert sent != "standard" or service not in OWN_TEMPLATE
    assert (objection.template, objection.template_version) == (sent, load(sent, "de").version)
    # No login was ever asked for; the person only typed the emailed code.
    assert harness.person.actions == (["code_step"] if code_step else [])
    assert harness.replay.logins == []
    assert harness.replay.consent_choices == ["essential"]


@pytest.mark.parametrize("service", sorted(s for s in CASES if CASES[s].first))
def test_the_first_question_is_answered_with_the_choice_that_means_this_objection(
    harness: Harness, service: str
) -> None:
    case = CASES[service]
    assert case.first is not None
    result = run(harness, case, form=case.first)
    assert result.status is Status.CONFIRMED, result.message
    assert sent_fields(harness)["request_type"] == case.posted["request_type"]


@pytest.mark.parametrize("service", sorted(CASES))
def test_an_error_answer_is_failed_never_confirmed(harness: Harness, service: str) -> None:
    harness.replay.scenario.outcome = "error"
    result = run(harness, CASES[service])
    assert result.status is Status.FAILED
    assert len(harness.replay.submissions) == 1


@pytest.mark.parametrize("service", sorted(CASES))
def test_a_refusal_is_never_confirmed(harness: Harness, service: str) -> None:
    def refuse(route: Route) -> None:
        fields = dict(parse_qsl(route.request.post_data or ""))
        harness.replay.submissions.append(SentForm(route.request.url, fields))
        route.fulfill(
            content_type="text/html; charset=utf-8",
            body="<div role=alert><h2>We've received your request</h2><p>Unfortunately we "
            "can't take further action on your request.</p></div>",
        )

    def hook(context: BrowserContext) -> None:
        context.route(f"**{SUBMIT_PATH}", refuse)

    harness.context_hook = hook
    result = run(harness, CASES[service])
    assert result.status is not Status.CONFIRMED
    assert not result.status.is_success
    assert len(harness.replay.submissions) == 1


LOOK_ALIKE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head><body>
<h1>Contact us</h1><p>Tell us what we can help you with.</p>
<form method="post" action="/help/contact/submit/">
<label>Full name <input type="text" name="name"></label>
<label>Email address <input type="email" name="email"></label>
<label>Phone number <input type="tel" name="phone"></label>
<label>Where did your information appear? <textarea name="where"></textarea></label>
<button type="submit">Send</button></form></body></html>"""


@pytest.mark.parametrize("service", sorted(CASES))
def test_a_look_alike_form_at_the_forms_url_is_neither_filled_nor_sent(
    harness: Harness, service: str
) -> None:
    def look_alike(route: Route) -> None:
        route.fulfill(content_type="text/html; charset=utf-8", body=LOOK_ALIKE)

    def hook(context: BrowserContext) -> None:
        context.route(services.registry().flow(service).form_url, look_alike)

    harness.context_hook = hook
    harness.replay.scenario.cookie_banner = False
    result = run(harness, CASES[service])
    assert result.status is Status.FAILED
    assert "not Meta's AI objection form" in result.message
    assert harness.replay.submissions == []


@pytest.mark.parametrize("service", sorted(CASES))
def test_a_lost_answer_is_submitted_unconfirmed(harness: Harness, service: str) -> None:
    def lost(route: Route) -> None:
        fields = dict(parse_qsl(route.request.post_data or ""))
        harness.replay.submissions.append(SentForm(route.request.url, fields))
        route.abort("connectionreset")

    def hook(context: BrowserContext) -> None:
        context.route(f"**{SUBMIT_PATH}", lost)

    harness.context_hook = hook
    result = run(harness, CASES[service], timeout=5, response_timeout=5)
    assert result.status is Status.SUBMITTED_UNCONFIRMED, result.message


@pytest.mark.parametrize("service", sorted(CASES))
def test_never_twice_the_second_run_says_already_done_and_sends_nothing(
    harness: Harness, service: str
) -> None:
    case = CASES[service]
    first = run(harness, case)
    assert first.status is Status.CONFIRMED
    served = len(harness.replay.served)

    second = run(harness, case)

    assert second.status is Status.ALREADY_CONFIRMED
    assert "nothing sent" in second.message
    assert len(harness.replay.submissions) == 1
    assert len(harness.replay.served) == served  # no page was even opened


@pytest.mark.parametrize("service", sorted(CASES))
def test_a_changed_form_is_neither_filled_nor_sent(harness: Harness, service: str) -> None:
    case = CASES[service]
    result = run(harness, case, form=case.changed)
    assert result.status is Status.FAILED
    assert "the form has changed" in result.message
    assert harness.replay.submissions == []


@pytest.mark.parametrize("service", sorted(CASES))
def test_an_unavailable_form_sends_nothing(harness: Harness, service: str) -> None:
    harness.replay.scenario.unavailable = True
    result = run(harness, CASES[service])
    assert result.status is Status.UNAVAILABLE
    assert harness.replay.submissions == []


def test_a_phone_number_is_masked_in_the_log_file_like_an_email(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    configure(tmp_path)
    request.addfinalizer(lambda: configure(None))
    log = get_logger("widerspruch.test")
    log.warning("code_sent", detail="Meta sent a code to +49 151 12345678", to=["+4915112345678"])
    written = (tmp_path / LOG_FILE).read_text("utf-8")
    assert "12345678" not in written
    assert "+49***78" in written
    # Dates, times and other numbers stay as they are.
    log.warning("at", when="2026-12-02T06:18:09+00:00", count=4915112345678)
    assert "2026-12-02T06:18:09+00:00" in (tmp_path / LOG_FILE).read_text("utf-8")


# -- what each flow needs, checked before any browser opens -----------------------------


def settings(tmp_path: Path, service: str, **details: str | None) -> Settings:
    return Settings.from_options(
        services=[service],
        email=EMAIL,
        country="DE",
        language=None,
        template="standard",
        justification=None,
        data_dir=tmp_path,
        details=details,
    )


@pytest.mark.parametrize(
    ("service", "missing"),
    [("meta-third-party", "name"), ("meta-third-party", "where"), ("whatsapp", "phone")],
)
def test_a_detail_the_flow_needs_is_required(tmp_path: Path, service: str, missing: str) -> None:
    given = {k: v for k, v in CASES[service].options.items() if k != missing}
    with pytest.raises(UsageError, match=rf"^--{missing} is required for "):
        settings(tmp_path, service, **given)


@pytest.mark.parametrize("phone", ["015112345678", "+0151123", "+49 151 abc", "+1234567890123456"])
def test_a_phone_number_without_country_code_is_refused(tmp_path: Path, phone: str) -> None:
    with pytest.raises(UsageError, match=r"^--phone: .* is not a phone number with country code"):
        settings(tmp_path, "whatsapp", phone=phone)


def test_a_detail_no_form_asks_for_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"^--where: not asked for by Facebook"):
        settings(tmp_path, "facebook", where="photos")


def test_a_bad_phone_number_is_one_line_and_exit_2(tmp_path: Path) -> None:
    args = ["submit", "whatsapp", "--email", EMAIL, "--country", "DE", "--phone", "0151 123"]
    result = CliRunner().invoke(app, [*args, "--data-dir", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        "widerspruch: error: --phone: '0151 123' is not a phone number with country code "
        "(like +4915112345678)"
    ]


def test_every_detail_of_every_flow_has_its_option() -> None:
    for flow in services.registry().flows:
        for detail in flow.details:
            result = CliRunner().invoke(app, ["submit", "--help"], terminal_width=200)
            assert f"--{detail.key}" in result.output, (flow.service, detail.key)


# -- a batch of members, each with the details of their own form -----------------------


def members_file(tmp_path: Path, service: str, rows: list[dict[str, str]]) -> Path:
    keys = list(CASES[service].options)
    lines = [",".join(["member_id", "email", "country", "services", "mandate_ref", *keys])]
    for number, details in enumerate(rows, start=1):
        fixed = [f"{number:04d}", f"m{number}@example.org", "DE", service, f"MANDATE-{number}"]
        lines.append(",".join([*fixed, *(details.get(key, "") for key in keys)]))
    path = tmp_path / "members.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def other_details(case: Case) -> dict[str, str]:
    """A second member's details: each value of the first, changed."""
    return {
        key: "+33 6 12 34 56 78" if key == "phone" else f"{value} (2)"
        for key, value in case.options.items()
    }


@pytest.mark.parametrize("service", sorted(CASES))
def test_a_batch_sends_each_member_their_own_details_from_the_members_file(
    harness: Harness, tmp_path: Path, service: str
) -> None:
    case = CASES[service]
    harness.replay.scenario.form = case.form
    second = other_details(case)
    path = members_file(tmp_path, service, [case.options, second])

    outcome = run_members(harness, path, services=service)

    assert [item.state for item in outcome.items] == [ItemState.CONFIRMED] * 2
    first_sent, second_sent = (form.fields for form in harness.replay.submissions)
    for name, value in case.posted.items():
        assert first_sent[name] == value
    for key in case.options:
        posted = check_phone(second[key]) if key == "phone" else second[key]
        assert second_sent[key] == posted
        assert first_sent[key] != posted


@pytest.mark.parametrize("service", sorted(CASES))
def test_a_member_without_a_detail_their_form_needs_is_a_bad_row(
    harness: Harness, tmp_path: Path, service: str
) -> None:
    case = CASES[service]
    missing = next(iter(case.options))
    path = members_file(
        tmp_path, service, [{k: v for k, v in case.options.items() if k != missing}]
    )
    with pytest.raises(UsageError, match=rf"line 2 \(member 0001\): {missing} is required for "):
        run_members(harness, path, services=service)
    assert harness.replay.submissions == []


def test_a_detail_a_members_form_does_not_ask_for_is_a_bad_row(
    harness: Harness, tmp_path: Path
) -> None:
    path = tmp_path / "members.csv"
    path.write_text(
        "member_id,email,country,services,mandate_ref,where\n"
        "0001,m1@example.org,DE,facebook,MANDATE-1,photos\n",
        "utf-8",
    )
    with pytest.raises(UsageError, match=r"line 2 \(member 0001\): where: not asked for by "):
        run_members(harness, path, services="facebook")
