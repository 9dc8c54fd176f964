"""Never twice, for every form a person sends without an account: `submit` killed with a
real SIGKILL at each step and run again sends the objection once, and two runs at once
for the same email address send it once (the other stops with one line, exit 1).

The steps and their truthful ledgers are Facebook's (test_submit_kills.py), but for the
login: nobody logs in here."""

from __future__ import annotations

import signal
from collections import Counter
from pathlib import Path

import pytest

from tests.faults.test_batch_kills import assert_the_ledger_tells_the_truth, received
from tests.faults.test_submit_kills import JANA, STEPS, finish, statuses, submit
from widerspruch import services

WITHOUT_ACCOUNT = sorted(flow.service for flow in services.registry().flows if not flow.needs_login)
# What the person gives for each detail a form asks for (`Flow.details`), by its key.
GIVEN = {"name": "Jana Beispiel", "where": "photos posted by others", "phone": "+4915112345678"}


def details(service: str) -> list[str]:
    """The options `submit` needs for the details of `service`'s form."""
    flow = services.registry().flow(service)
    return [part for d in flow.details for part in (f"--{d.key}", GIVEN[d.key])]


def test_every_form_without_an_account_is_covered() -> None:
    assert WITHOUT_ACCOUNT, "no flow needs no login: this suite covers nothing"


@pytest.mark.parametrize("kill_at", [step for step in STEPS if not step.startswith("login:")])
@pytest.mark.parametrize("service", WITHOUT_ACCOUNT)
def test_submit_without_an_account_killed_then_run_again_sends_it_once(
    tmp_path: Path, service: str, kill_at: str
) -> None:
    step = STEPS[kill_at]
    options = details(service)
    killed = finish(submit(tmp_path, kill_at, *options, SERVICE=service))
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert (statuses(tmp_path) if (tmp_path / "data").exists() else []) == step.at_the_kill
    assert sum(received(tmp_path).values()) == step.received

    for _ in range(2):  # run again, and again: still nothing twice
        again = finish(submit(tmp_path, "never", *options, SERVICE=service))
        assert again.returncode == step.rerun_exit, again.stderr
        assert "Traceback" not in again.stderr
        assert statuses(tmp_path) == step.after_rerun
        if step.rerun_exit:
            assert "may already have reached Meta" in again.stderr
            assert "not sent again" in again.stderr
        assert received(tmp_path) == Counter({JANA: 1})
        assert_the_ledger_tells_the_truth(tmp_path)


@pytest.mark.parametrize("service", WITHOUT_ACCOUNT)
def test_two_submits_at_once_without_an_account_send_one_objection(
    tmp_path: Path, service: str
) -> None:
    # Meta asks for the emailed code, and the person takes a while to type it: the
    # second run starts while the first holds its claim.
    options = details(service)
    first = submit(tmp_path, "never", *options, SERVICE=service, CODE_DELAY="5")
    second = submit(tmp_path, "never", *options, SERVICE=service, CODE_DELAY="5")
    runs = [finish(first), finish(second)]

    assert sorted(run.returncode for run in runs) == [0, 1], [run.stderr for run in runs]
    loser = max(runs, key=lambda run: run.returncode)
    assert f"another widerspruch run is objecting for j***@example.org on {service} " in (
        loser.stderr
    )
    assert "Traceback" not in loser.stderr
    assert received(tmp_path) == Counter({JANA: 1})
    assert statuses(tmp_path) == ["confirmed"]
    assert_the_ledger_tells_the_truth(tmp_path)
