"""A batch killed (or stopped by a signal) at each step, in a real process, then resumed
(twice): every item ends in one truthful state, Meta got each objection once, and what
may have reached Meta is never sent again without the operator's decision. No page of
the replay ever says "you have already objected": nobody has seen Meta say that."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from contextlib import suppress
from pathlib import Path
from typing import NamedTuple

import pytest

SCRIPT = Path(__file__).with_name("killed_batch.py")
HEADER = "member_id,email,country,language,services,mandate_ref\n"
Items = list[tuple[str, str | None, str]]


def members_file(folder: Path, count: int) -> Path:
    path = folder / "members.csv"
    rows = (f"{n:04d},m{n}@example.org,DE,,,MANDATE-{n}\n" for n in range(1, count + 1))
    path.write_text(HEADER + "".join(rows), "utf-8")
    return path


def batch(
    folder: Path,
    kill_at: str,
    signal_name: str = "SIGKILL",
    *,
    resume: bool = False,
    reviews: str = "",
) -> subprocess.CompletedProcess[str]:
    """One run of the real CLI in its own process group, cleaned up whatever happens."""
    args = [str(folder / "data"), str(folder / "members.csv"), str(folder / "journal.jsonl")]
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), *args, kill_at, signal_name]
        + (["--resume"] if resume else []),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "HOME": str(folder), "REVIEWS": reviews},
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=600)
    finally:
        # A killed process leaves its browser to its process group: end that too.
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def items(folder: Path) -> Items:
    """(item state, objection status, member) in file order."""
    db = sqlite3.connect(folder / "data" / "ledger.sqlite3")
    rows = db.execute(
        "SELECT i.state, o.status, i.member_id FROM batch_items i "
        "LEFT JOIN objections o ON o.id = i.objection_id ORDER BY i.position"
    )
    return [(str(state), status, str(member)) for state, status, member in rows]


def journal(folder: Path) -> list[dict[str, object]]:
    path = folder / "journal.jsonl"
    return (
        [json.loads(line) for line in path.read_text("utf-8").splitlines()] if path.exists() else []
    )


def received(folder: Path) -> Counter[str]:
    """How often the replay received each account's objection, across all runs."""
    return Counter(str(e["email"]) for e in journal(folder) if e["kind"] == "submitted")


def objection_statuses(folder: Path) -> list[str]:
    db = sqlite3.connect(folder / "data" / "ledger.sqlite3")
    return [row[0] for row in db.execute("SELECT status FROM objections ORDER BY id")]


def assert_the_ledger_tells_the_truth(folder: Path) -> None:
    """No claim left open for ever, and nothing confirmed that Meta did not confirm."""
    db = sqlite3.connect(folder / "data" / "ledger.sqlite3")
    rows = db.execute("SELECT account_email, status FROM objections").fetchall()
    assert not [row for row in rows if row[1] in ("in_progress", "submitting")], rows
    taken = Counter(str(e["email"]) for e in journal(folder) if e["objected"])
    confirmed = Counter(email for email, status in rows if status == "confirmed")
    for email, count in confirmed.items():
        assert count <= taken[email], f"{email}: confirmed {count}x, Meta took it {taken[email]}x"


MEMBERS = ("0001", "0002", "0003")
ALL_CONFIRMED: Items = [("confirmed", "confirmed", m) for m in MEMBERS]
# Member 2 may have reached Meta: it waits on the review list, never sent again by itself.
TO_REVIEW: Items = [
    ("confirmed", "confirmed", "0001"),
    ("submitted", "submitted_unconfirmed", "0002"),
    ("confirmed", "confirmed", "0003"),
]
STOPPED_BEFORE_SEND: Items = [
    ("confirmed", "confirmed", "0001"),
    ("pending", "cancelled", "0002"),
    ("pending", None, "0003"),
]
MAYBE_SENT: Items = [
    ("confirmed", "confirmed", "0001"),
    ("submitted", "submitted_unconfirmed", "0002"),
    ("pending", None, "0003"),
]
NOT_STARTED: Items = [("pending", None, m) for m in MEMBERS]


class Case(NamedTuple):
    exit_code: int  # of the killed run
    at_the_kill: Items  # what the ledger holds then
    received: int  # objections Meta has then
    after_resume: Items = ALL_CONFIRMED  # after --resume (and the same after a second one)
    # The operator's decisions on the review list, at a terminal, in a last run; "" when
    # nothing is left to decide. Member 2 never reached Meta ("again") or did ("leave").
    reviews: str = ""


KILLS: dict[tuple[str, str], Case] = {
    ("pending", "SIGKILL"): Case(-9, NOT_STARTED, 0),
    ("before_claim:2", "SIGKILL"): Case(
        -9, [("confirmed", "confirmed", "0001"), *NOT_STARTED[1:]], 1
    ),
    ("after_claim:2", "SIGKILL"): Case(
        -9, [("confirmed", "confirmed", "0001"), *NOT_STARTED[1:]], 1
    ),
    ("in_progress:2", "SIGKILL"): Case(
        -9,
        [
            ("confirmed", "confirmed", "0001"),
            ("in_progress", "in_progress", "0002"),
            ("pending", None, "0003"),
        ],
        1,
    ),
    ("login:2", "SIGKILL"): Case(
        -9,
        [
            ("confirmed", "confirmed", "0001"),
            ("awaiting_person", "in_progress", "0002"),
            ("pending", None, "0003"),
        ],
        1,
    ),
    ("awaiting_person:2", "SIGKILL"): Case(
        -9,
        [
            ("confirmed", "confirmed", "0001"),
            ("awaiting_person", "in_progress", "0002"),
            ("pending", None, "0003"),
        ],
        1,
    ),
    ("filled:2", "SIGKILL"): Case(
        -9,
        [
            ("confirmed", "confirmed", "0001"),
            ("in_progress", "in_progress", "0002"),
            ("pending", None, "0003"),
        ],
        1,
    ),
    # Committed as submitting, killed before the click: nothing left the browser, but the
    # ledger cannot know that. The operator, seeing no submission recorded, sends it.
    ("submitted:2", "SIGKILL"): Case(
        -9,
        [
            ("confirmed", "confirmed", "0001"),
            ("submitted", "submitting", "0002"),
            ("pending", None, "0003"),
        ],
        1,
        TO_REVIEW,
        "again",
    ),
    # Meta has it; the browser never heard back. The operator leaves it.
    ("post_received:2", "SIGKILL"): Case(
        -9,
        [
            ("confirmed", "confirmed", "0001"),
            ("submitted", "submitting", "0002"),
            ("pending", None, "0003"),
        ],
        2,
        TO_REVIEW,
    ),
    ("answered:2", "SIGKILL"): Case(
        -9,
        [
            ("confirmed", "confirmed", "0001"),
            ("submitted", "submitting", "0002"),
            ("pending", None, "0003"),
        ],
        2,
        TO_REVIEW,
    ),
    ("objection_confirmed:2", "SIGKILL"): Case(
        -9,
        [
            ("confirmed", "confirmed", "0001"),
            ("submitted", "confirmed", "0002"),
            ("pending", None, "0003"),
        ],
        2,
    ),
    ("evidence:2", "SIGKILL"): Case(
        -9,
        [
            ("confirmed", "confirmed", "0001"),
            ("submitted", "confirmed", "0002"),
            ("pending", None, "0003"),
        ],
        2,
    ),
    ("receipt:2", "SIGKILL"): Case(
        -9,
        [
            ("confirmed", "confirmed", "0001"),
            ("submitted", "confirmed", "0002"),
            ("pending", None, "0003"),
        ],
        2,
    ),
    # Ctrl-C and SIGTERM: the process stops in order (exit 130) and records what
    # happened; a stop before anything left the browser is "nothing sent".
    ("pending", "SIGINT"): Case(130, NOT_STARTED, 0),
    ("pending", "SIGTERM"): Case(130, NOT_STARTED, 0),
    ("in_progress:2", "SIGINT"): Case(130, STOPPED_BEFORE_SEND, 1),
    ("in_progress:2", "SIGTERM"): Case(130, STOPPED_BEFORE_SEND, 1),
    ("awaiting_person:2", "SIGINT"): Case(130, STOPPED_BEFORE_SEND, 1),
    ("awaiting_person:2", "SIGTERM"): Case(130, STOPPED_BEFORE_SEND, 1),
    ("submitted:2", "SIGINT"): Case(130, STOPPED_BEFORE_SEND, 1),  # before the click
    ("submitted:2", "SIGTERM"): Case(130, STOPPED_BEFORE_SEND, 1),
    ("post_received:2", "SIGINT"): Case(130, MAYBE_SENT, 2, TO_REVIEW),
    ("post_received:2", "SIGTERM"): Case(130, MAYBE_SENT, 2, TO_REVIEW),
    ("objection_confirmed:2", "SIGTERM"): Case(
        130,
        [
            ("confirmed", "confirmed", "0001"),
            ("confirmed", "confirmed", "0002"),
            ("pending", None, "0003"),
        ],
        2,
    ),
}


@pytest.mark.parametrize(("kill_at", "signal_name"), sorted(KILLS), ids=lambda v: str(v))
def test_killed_batch_resumes_without_sending_anything_twice(
    tmp_path: Path, kill_at: str, signal_name: str
) -> None:
    case = KILLS[(kill_at, signal_name)]
    members_file(tmp_path, 3)

    first = batch(tmp_path, kill_at, signal_name)
    assert first.returncode == case.exit_code, first.stderr
    assert "Traceback" not in first.stderr
    assert items(tmp_path) == case.at_the_kill
    assert sum(received(tmp_path).values()) == case.received

    to_review = case.after_resume != ALL_CONFIRMED
    second = batch(tmp_path, "never", resume=True)
    assert second.returncode == (1 if to_review else 0), second.stderr
    assert "Traceback" not in second.stderr
    assert items(tmp_path) == case.after_resume
    assert_the_ledger_tells_the_truth(tmp_path)
    assert max(received(tmp_path).values()) == 1  # never twice
    document = json.loads(second.stdout)
    assert not document["interrupted"]
    if to_review:
        assert document["counts"] == {"confirmed": 2, "submitted": 1}
        assert "To review: member 0002, facebook" in second.stderr
        assert "Not sent again (--yes)" in second.stderr

    third = batch(tmp_path, "never", resume=True)  # resumed twice
    if to_review:
        assert third.returncode == 1, third.stderr
        assert items(tmp_path) == case.after_resume
    else:
        assert third.returncode == 2
        assert "no unfinished batch" in third.stderr  # it has finished: nothing to do
    assert max(received(tmp_path).values()) == 1

    if case.reviews:
        decided = batch(tmp_path, "never", resume=True, reviews=case.reviews)
        assert decided.returncode == 0, decided.stderr
        assert [(state, member) for state, _, member in items(tmp_path)] == [
            ("confirmed", member) for member in MEMBERS
        ]
    assert received(tmp_path) == Counter({f"m{n}@example.org": 1 for n in (1, 2, 3)})
    assert_the_ledger_tells_the_truth(tmp_path)


def test_a_batch_killed_twice_sends_each_objection_once(tmp_path: Path) -> None:
    """The acceptance run, smaller: bench/batch.py --kills does it with 24 members here."""
    count = 24
    members_file(tmp_path, count)
    first = batch(tmp_path, "post_received:8")  # Meta has #8; the browser never heard back
    assert first.returncode == -9
    second = batch(tmp_path, "submitted:16", resume=True)  # committed, not clicked
    assert second.returncode == -9
    third = batch(tmp_path, "never", resume=True)
    assert third.returncode == 1, third.stderr  # two to review: nothing sent again by itself

    to_review = [
        n for n, (state, _, _) in enumerate(items(tmp_path), start=1) if state != "confirmed"
    ]
    assert to_review == [8, 16]
    assert_the_ledger_tells_the_truth(tmp_path)
    # The operator decides with the evidence: #8 reached Meta (leave it), #16 did not.
    decided = batch(tmp_path, "never", resume=True, reviews="leave,again")
    assert decided.returncode == 1  # #8 stays unconfirmed until Meta's email is imported
    assert [
        n for n, (state, _, _) in enumerate(items(tmp_path), start=1) if state != "confirmed"
    ] == [8]
    assert received(tmp_path) == Counter({f"m{n}@example.org": 1 for n in range(1, count + 1)})
    assert_the_ledger_tells_the_truth(tmp_path)
