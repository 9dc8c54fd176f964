"""A service's own setting for its AI (``Flow.setting``): `submit --also-setting` switches
it off, with a screenshot before and after as evidence; without the option it is never
touched; `check --account` reads it, on or off."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Harness, in_own_thread
from widerspruch.check import CheckState, check_services, target_for
from widerspruch.errors import UsageError
from widerspruch.ledger import Ledger
from widerspruch.proof.evidence import sha256_file
from widerspruch.services import registry
from widerspruch.states import Status
from widerspruch.testing.check_replay import CheckReplay, CheckScenario
from widerspruch.testing.replay import COOKIE_DOMAINS

WITH_SETTING = [flow.service for flow in registry().flows if flow.setting is not None]
WITHOUT_SETTING = [flow.service for flow in registry().flows if flow.setting is None]


def attachments(harness: Harness) -> dict[str, tuple[str | None, Path, str]]:
    """The objection's attachments by kind: (detail, path, recorded SHA-256)."""
    with Ledger.open(harness.data_dir) as ledger:
        [objection] = ledger.objections()
        found = ledger.attachments(objection.id)
    return {a.kind: (a.detail, Path(a.path), a.sha256) for a in found}


def test_some_service_has_a_setting() -> None:
    assert WITH_SETTING, "no flow declares a setting: this suite covers nothing"


@pytest.mark.parametrize("service", WITH_SETTING)
def test_also_setting_switches_it_off_with_a_screenshot_before_and_after(
    harness: Harness, service: str
) -> None:
    outcome = harness.submit(service, also_setting=True)

    [result] = outcome.results
    assert result.status is Status.CONFIRMED, result.message
    assert harness.replay.setting_changes == ["off"]
    assert harness.replay.scenario.setting_on is False
    found = attachments(harness)
    for kind, shown in (("setting_before", "on"), ("setting_after", "off")):
        detail, path, digest = found[kind]
        assert detail == shown
        assert path.is_file()
        assert path.read_bytes().startswith(b"\x89PNG")
        assert sha256_file(path) == digest
    name = registry().flows_by_name[service].setting.name  # type: ignore[union-attr]
    assert any(f"“{name}” is now off" in told for told in harness.person.told)


@pytest.mark.parametrize("service", WITH_SETTING)
def test_without_also_setting_the_setting_is_never_touched(harness: Harness, service: str) -> None:
    assert harness.submit(service).results[0].status is Status.CONFIRMED
    assert harness.replay.setting_changes == []
    assert harness.replay.scenario.setting_on is True
    assert f"{service}/setting" not in harness.replay.served
    assert "setting_before" not in attachments(harness)


@pytest.mark.parametrize("service", WITH_SETTING)
def test_a_setting_already_off_is_left_alone_and_shown(harness: Harness, service: str) -> None:
    harness.replay.scenario.setting_on = False
    harness.submit(service, also_setting=True)
    assert harness.replay.setting_changes == []
    found = attachments(harness)
    assert found["setting_before"][0] == "off"
    assert found["setting_after"][0] == "off"
    assert any("was off already" in told for told in harness.person.told)


@pytest.mark.parametrize("service", WITHOUT_SETTING[:1])
def test_also_setting_where_no_service_has_one_is_refused_up_front(
    harness: Harness, service: str
) -> None:
    with pytest.raises(UsageError, match="--also-setting: none of"):
        harness.settings(service, also_setting=True)


def saved_login(service: str, token: str) -> dict[str, Any]:
    """A Playwright storage state with the replay's session for `service`."""
    domain = COOKIE_DOMAINS[service]
    cookie = {"domain": domain, "path": "/", "expires": -1, "httpOnly": True}
    cookies = [
        {**cookie, "name": "xs", "value": token, "secure": True, "sameSite": "Lax"},
        {**cookie, "name": "consent", "value": "essential", "secure": True, "sameSite": "Lax"},
    ]
    return {"cookies": cookies, "origins": []}


@pytest.mark.parametrize("on", [True, False])
@pytest.mark.parametrize("service", WITH_SETTING)
def test_check_with_a_saved_login_reads_the_setting_and_never_switches_it(
    service: str, on: bool
) -> None:
    replay = CheckReplay(CheckScenario())
    replay.meta.scenario.setting_on = on
    [result] = in_own_thread(
        check_services,
        [target_for(service)],
        timeout=20,
        prepare_context=replay.attach,
        sessions={service: saved_login(service, replay.meta.session_token)},
    )
    assert result.state is CheckState.FORM_OK, result.detail
    assert result.setting == ("on" if on else "off")
    name = registry().flows_by_name[service].setting.name  # type: ignore[union-attr]
    assert f"“{name}” is {result.setting}" in result.detail
    assert result.to_json()["setting"] == result.setting
    assert replay.meta.setting_changes == []  # read, never switched
    assert replay.meta.scenario.setting_on is on


@pytest.mark.parametrize("service", WITH_SETTING)
def test_check_without_a_login_does_not_look_at_the_setting(service: str) -> None:
    replay = CheckReplay(CheckScenario())
    [result] = in_own_thread(
        check_services, [target_for(service)], timeout=20, prepare_context=replay.attach
    )
    assert result.state is CheckState.LOGIN_REQUIRED
    assert result.setting is None
    assert f"{service}/setting" not in replay.meta.served
