"""Shell completion: the scripts for bash, zsh and fish, and what a Tab offers, asked of
the installed `widerspruch` exactly as the shells ask it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.records import make_objection
from widerspruch.ledger import LEDGER_FILE
from widerspruch.services import service_names
from widerspruch.states import Status
from widerspruch.submit.justification import bundled

WIDERSPRUCH = str(Path(sys.executable).parent / "widerspruch")


def offered(shell: str, line: str, data_dir: Path) -> list[str]:
    """What a Tab after `line` offers in `shell`: the values, one per item."""
    env = {
        **os.environ,
        "_WIDERSPRUCH_COMPLETE": f"complete_{shell}",
        "WIDERSPRUCH_HOME": str(data_dir),
        "COMP_WORDS": line,
        "COMP_CWORD": str(len(line.split(" ")) - 1),
        "_TYPER_COMPLETE_ARGS": line,
        "_TYPER_COMPLETE_FISH_ACTION": "get-args",
    }
    done = subprocess.run(
        [WIDERSPRUCH], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    if shell == "zsh":  # _arguments '*: :(("value":"help"\n"value"))'
        return re.findall(r'^(?:_arguments \'\*: :\(\()?"([^"]*)"', done.stdout, re.MULTILINE)
    # bash: one value per line; fish: value<TAB>help
    return [item.split("\t")[0] for item in done.stdout.splitlines() if item]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_prints_the_script_for_each_shell(shell: str) -> None:
    done = subprocess.run(
        [WIDERSPRUCH, "--show-completion", shell],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "_WIDERSPRUCH_COMPLETE" in done.stdout
    assert f"complete_{shell}" in done.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_services_are_completed(shell: str, tmp_path: Path) -> None:
    assert set(offered(shell, "widerspruch submit ", tmp_path)) >= set(service_names())
    first = service_names()[0]
    assert offered(shell, f"widerspruch submit {first[:3]}", tmp_path) == [
        n for n in service_names() if n.startswith(first[:3])
    ]


def test_watched_services_are_completed_for_check_and_filters(tmp_path: Path) -> None:
    watched = set(service_names(watched=True))
    assert set(offered("bash", "widerspruch check ", tmp_path)) == watched
    assert set(offered("bash", "widerspruch log --service ", tmp_path)) == watched
    assert set(offered("bash", "widerspruch account add a@b.org --service ", tmp_path)) == set(
        service_names()
    )


def test_template_names_are_completed(tmp_path: Path) -> None:
    names = {t.name for t in bundled()}
    assert set(offered("bash", "widerspruch templates ", tmp_path)) == names
    assert set(offered("fish", "widerspruch submit x --template ", tmp_path)) == names


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_objection_ids_are_completed_from_the_ledger(shell: str, tmp_path: Path) -> None:
    first = make_objection(tmp_path)
    second = make_objection(tmp_path, status=Status.SUBMITTED_UNCONFIRMED)
    assert offered(shell, "widerspruch receipt ", tmp_path) == [str(first.id), str(second.id)]
    assert offered(shell, "widerspruch confirm ", tmp_path) == [str(first.id), str(second.id)]


def test_ids_follow_data_dir_given_on_the_line(tmp_path: Path) -> None:
    objection = make_objection(tmp_path / "other")
    line = f"widerspruch followup --data-dir {tmp_path / 'other'} "
    assert offered("bash", line, tmp_path / "none") == [str(objection.id)]


def test_completing_ids_without_a_ledger_creates_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh"
    assert offered("bash", "widerspruch receipt ", data_dir) == []
    assert not data_dir.exists()
    data_dir.mkdir()
    assert offered("bash", "widerspruch verify ", data_dir) == []
    assert list(data_dir.iterdir()) == []


def test_a_damaged_ledger_completes_nothing_quietly(tmp_path: Path) -> None:
    (tmp_path / LEDGER_FILE).write_bytes(b"not a database at all" * 100)
    assert offered("bash", "widerspruch receipt ", tmp_path) == []


def test_install_completion_for_bash_makes_a_new_shell_complete_services(tmp_path: Path) -> None:
    """`--install-completion bash` writes the script into HOME and sources it from
    ~/.bashrc, once: a new bash then completes `widerspruch submit <Tab>` with services."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "PATH": f"{Path(WIDERSPRUCH).parent}:{os.environ['PATH']}",
    }
    for _ in range(2):  # a second install adds nothing to ~/.bashrc
        done = subprocess.run(
            [WIDERSPRUCH, "--install-completion", "bash"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    script = home / ".bash_completions" / "widerspruch.sh"
    assert "_WIDERSPRUCH_COMPLETE=complete_bash" in script.read_text()
    bashrc = (home / ".bashrc").read_text()
    assert bashrc.count(str(script)) == 1
    tab = subprocess.run(
        [
            "bash",
            "-c",
            'source ~/.bashrc; COMP_WORDS=(widerspruch submit ""); COMP_CWORD=2; '
            '_widerspruch_completion widerspruch; printf "%s\\n" "${COMPREPLY[@]}"',
        ],
        env={**env, "WIDERSPRUCH_HOME": str(tmp_path / "data")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert tab.returncode == 0, tab.stderr
    assert set(tab.stdout.split()) == set(service_names())
