"""Start-up cost of ``widerspruch --help``, compared with ``import typer``.

Each command runs as a fresh Python process (``sys.executable``): two warm-up rounds,
then ``--runs`` rounds that run every command once each. The script prints each
command's median wall time in ms and the ratio ``--help`` / ``import typer`` against the
target (at most 1.3). It then runs ``python -X importtime -m widerspruch --help`` once
and lists the heavy modules (Playwright, keyring, structlog, rich, pycountry) it imports.

It is a measurement, not a test: it exits 0 whatever the figures, and 1 only when a
command itself fails. Run it from the repository root:

    .venv/bin/python bench/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HEAVY = ("playwright", "keyring", "structlog", "rich", "pycountry")
TARGET_RATIO = 1.3
WARMUPS = 2
PY = sys.executable
COMMANDS = {
    "python -c pass": [PY, "-c", "pass"],
    "import typer": [PY, "-c", "import typer"],
    "import widerspruch.cli": [PY, "-c", "import widerspruch.cli"],
    "widerspruch --help": [PY, "-m", "widerspruch", "--help"],
}


class CommandError(Exception):
    pass


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise CommandError(
            f"{' '.join(command)} exited with {done.returncode}:\n{done.stderr.strip()}"
        )
    return done


def median_ms(runs: int, env: dict[str, str]) -> dict[str, float]:
    """Median wall time per command. Rounds interleave the commands, so a change in
    machine load during the benchmark affects all of them alike."""
    times: dict[str, list[float]] = {label: [] for label in COMMANDS}
    for index in range(WARMUPS + runs):
        for label, command in COMMANDS.items():
            start = time.perf_counter()
            run(command, env)
            if index >= WARMUPS:
                times[label].append((time.perf_counter() - start) * 1000)
    return {label: statistics.median(values) for label, values in times.items()}


def heavy_imports(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Heavy top-level packages imported by `command`, with their cumulative ms."""
    stderr = run([PY, "-X", "importtime", *command[1:]], env).stderr
    found: dict[str, float] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (part.strip() for part in line[len("import time:") :].split("|"))
        top = name.split(".")[0]
        if top in HEAVY and cumulative.isdigit():
            found[top] = max(found.get(top, 0.0), int(cumulative) / 1000)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per command")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="widerspruch-bench-") as home:
        env = {**os.environ, "HOME": home}
        try:
            medians = median_ms(args.runs, env)
            heavy = heavy_imports(COMMANDS["widerspruch --help"], env)
            in_typer = heavy_imports(COMMANDS["import typer"], env)
        except CommandError as error:
            print(error, file=sys.stderr)
            return 1

    print(f"Start-up, median of {args.runs} runs after {WARMUPS} warm-ups ({PY})")
    for label, ms in medians.items():
        print(f"  {label:<24} {ms:7.1f} ms")
    ratio = medians["widerspruch --help"] / medians["import typer"]
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    print(f"  ratio --help / typer     {ratio:7.2f}    (target <= {TARGET_RATIO}: {verdict})")
    if heavy:
        listed = ", ".join(
            f"{name} ({ms:.1f} ms{', also by import typer' if name in in_typer else ''})"
            for name, ms in sorted(heavy.items())
        )
        print(f"Heavy modules imported by --help: {listed}")
    else:
        print(f"Heavy modules imported by --help: none (checked: {', '.join(HEAVY)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
