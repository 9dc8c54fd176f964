"""Batches of 20 and 200 members on the offline replays: overhead per member and memory.

Each size runs the real batch runner (``widerspruch.batch.run_batch``) headless, with one
browser for the whole batch and the scripted stand-in playing each member (it logs in
with the member's address on the replayed login wall, behind the cookie banner). Members
alternate between Facebook and Instagram, one service each.

Printed per size:

- overhead per member: the batch's wall time, minus the browser launch (once per batch)
  and minus the person's time (the stand-in typing the login, timed around each
  ``act``), divided by the members. Everything else counts: new context, cookie banner,
  page loads after the login, filling, sending, the confirmation, the evidence bundle,
  closing the context and the ledger writes. Target: at most 1 s.
- peak memory of the whole process tree (Python, Playwright's driver, every Chromium
  process), sampled after each member: the sum of PSS from ``/proc/<pid>/smaps_rollup``
  (shared pages split fairly between processes), and of RSS. Target: the peak at 200
  members within ±10 % of the peak at 20.

With ``--kills``, the acceptance run: 200 members in real processes
(``tests/faults/killed_batch.py``), killed with SIGKILL once after Meta received the 70th
objection (its answer never arrives) and once between committing the 140th and clicking
Send, each time resumed with ``--resume``. Prints the objections the replay received per
account: every one must be 1.

    .venv/bin/python bench/batch.py [--sizes 20 200] [--kills] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import suppress
from pathlib import Path
from typing import Any

from widerspruch.batch import BatchSettings, Progress, run_batch
from widerspruch.logs import configure
from widerspruch.testing.operator import ScriptedOperator
from widerspruch.testing.person import StandInPerson
from widerspruch.testing.replay import ReplayServer, Scenario

ROOT = Path(__file__).parent.parent
KILLED_BATCH = ROOT / "tests" / "faults" / "killed_batch.py"
TARGET_OVERHEAD_S = 1.0
TARGET_MEMORY_SPREAD = 0.10
HEADER = "member_id,email,country,language,services,mandate_ref\n"


def members_file(folder: Path, count: int, services: tuple[str, ...]) -> Path:
    path = folder / "members.csv"
    rows = (
        f"{n:04d},m{n}@example.org,DE,,{services[n % len(services)]},M-{n}\n"
        for n in range(1, count + 1)
    )
    path.write_text(HEADER + "".join(rows), "utf-8")
    return path


def process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def memory_kib(pids: list[int]) -> tuple[int, int]:
    """(PSS, RSS) summed over `pids`, in KiB."""
    pss = rss = 0
    for pid in pids:
        with suppress(OSError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
    return pss, rss


class TimedStandIn(StandInPerson):
    """The stand-in, with a stopwatch around everything the person does."""

    person_seconds: float = 0.0

    def act(self, need: Any, page: Any, flow: Any, email: str) -> None:
        started = time.perf_counter()
        try:
            super().act(need, page, flow, email)
        finally:
            self.person_seconds += time.perf_counter() - started


class MeasuringOperator(ScriptedOperator):
    def __init__(self) -> None:
        super().__init__()
        self.peak_pss = self.peak_rss = 0
        self.first_handover: float | None = None

    def hand_over(self, member_id: str, email: str, services: list[str], number: int) -> None:
        if self.first_handover is None:
            self.first_handover = time.perf_counter()  # the browser is up by now
        super().hand_over(member_id, email, services, number)

    def progress(self, progress: Progress) -> None:
        pss, rss = memory_kib(process_tree(os.getpid()))
        self.peak_pss, self.peak_rss = max(self.peak_pss, pss), max(self.peak_rss, rss)


def run_size(count: int, services: tuple[str, ...]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="widerspruch-bench-") as tmp:
        folder = Path(tmp)
        os.environ["HOME"] = str(folder)  # Chromium writes to ~/.config
        settings = BatchSettings.from_options(
            file=members_file(folder, count, services),
            services=None,
            template="standard",
            data_dir=folder / "data",
            headless=True,
            timeout=60,
            assume_yes=True,
        )
        configure(settings.data_dir)
        server = ReplayServer(Scenario(language="de"))
        person = TimedStandIn()
        operator = MeasuringOperator()
        started = time.perf_counter()
        outcome = run_batch(
            settings,
            person=person,
            operator=operator,
            prepare_context=lambda context, flow: server.attach(context),
        )
        ended = time.perf_counter()
        confirmed = sum(1 for item in outcome.items if item.state.value == "confirmed")
        if confirmed != count or len(server.submissions) != count:
            raise RuntimeError(
                f"{count} members: {confirmed} confirmed, {len(server.submissions)} sent"
            )
        launch = (operator.first_handover or started) - started
        overhead = (ended - (operator.first_handover or started) - person.person_seconds) / count
        return {
            "members": count,
            "wall_s": round(ended - started, 1),
            "launch_s": round(launch, 2),
            "person_s_per_member": round(person.person_seconds / count, 3),
            "overhead_s_per_member": round(overhead, 3),
            "peak_pss_mib": round(operator.peak_pss / 1024, 1),
            "peak_rss_mib": round(operator.peak_rss / 1024, 1),
        }


def run_with_kills(count: int) -> dict[str, Any]:
    """The acceptance run in real processes: killed twice, resumed, each objection once."""
    with tempfile.TemporaryDirectory(prefix="widerspruch-bench-") as tmp:
        folder = Path(tmp)
        members_file(folder, count, ("facebook",))
        exits = []
        for kill_at, resume in (
            (f"post_received:{count * 35 // 100}", False),
            (f"submitted:{count * 70 // 100}", True),
            ("never", True),
        ):
            args = [
                sys.executable,
                str(KILLED_BATCH),
                str(folder / "data"),
                str(folder / "members.csv"),
                str(folder / "journal.jsonl"),
                kill_at,
                "SIGKILL",
                *(["--resume"] if resume else []),
            ]
            process = subprocess.Popen(
                args,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env={**os.environ, "HOME": str(folder)},
                start_new_session=True,
            )
            stdout, _ = process.communicate()
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # a killed run's browser
            exits.append(process.returncode)
        document = json.loads(stdout)
        lines = (folder / "journal.jsonl").read_text("utf-8").splitlines()
        received = Counter(json.loads(line)["email"] for line in lines)
        return {
            "members": count,
            "exit_codes": exits,
            "items": document["counts"],
            "objections_received": sum(received.values()),
            "duplicate_posts": sum(n - 1 for n in received.values() if n > 1),
            "accounts_never_received": count - len(received),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 200])
    parser.add_argument("--kills", action="store_true", help="also the killed-twice run")
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()

    results = [run_size(n, ("facebook", "instagram")) for n in options.sizes]
    smallest, largest = results[0], results[-1]
    spread = largest["peak_pss_mib"] / smallest["peak_pss_mib"] - 1
    report: dict[str, Any] = {
        "sizes": results,
        "memory_spread": round(spread, 3),
        "overhead_ok": all(r["overhead_s_per_member"] <= TARGET_OVERHEAD_S for r in results),
        "memory_ok": abs(spread) <= TARGET_MEMORY_SPREAD,
    }
    if options.kills:
        report["kills"] = run_with_kills(200)
    if options.json:
        print(json.dumps(report, indent=2))
        return
    print(
        f"{'members':>8} {'wall s':>8} {'launch s':>9} {'person s/m':>11} "
        f"{'overhead s/m':>13} {'peak PSS MiB':>13} {'peak RSS MiB':>13}"
    )
    for r in results:
        print(
            f"{r['members']:>8} {r['wall_s']:>8} {r['launch_s']:>9} {r['person_s_per_member']:>11} "
            f"{r['overhead_s_per_member']:>13} {r['peak_pss_mib']:>13} {r['peak_rss_mib']:>13}"
        )
    print(
        f"overhead per member (target <= {TARGET_OVERHEAD_S:.0f} s): "
        f"{'ok' if report['overhead_ok'] else 'ABOVE TARGET'}"
    )
    print(
        f"peak memory {smallest['members']} -> {largest['members']} members: {spread:+.1%} "
        f"(target within ±{TARGET_MEMORY_SPREAD:.0%}): "
        f"{'ok' if report['memory_ok'] else 'OUTSIDE TARGET'}"
    )
    if options.kills:
        kills = report["kills"]
        print(
            f"{kills['members']} members, killed twice and resumed: exit codes "
            f"{kills['exit_codes']}, items {kills['items']}, objections received "
            f"{kills['objections_received']}, duplicate POSTs {kills['duplicate_posts']}"
        )


if __name__ == "__main__":
    main()
