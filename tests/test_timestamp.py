"""Trusted timestamps (RFC 3161) on the manifest hash, against a time-stamping authority
the test runs itself (`openssl ts -reply` behind an HTTP server on 127.0.0.1)."""

from __future__ import annotations

import json
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs
from typer.testing import CliRunner, Result

from tests.conftest import Harness
from tests.records import make_objection, reseal
from widerspruch.cli import app
from widerspruch.ledger import LEDGER_FILE, Ledger
from widerspruch.proof.evidence import MANIFEST, OBJECTION, Evidence, sha256_file
from widerspruch.proof.timestamp import TIMESTAMP_FILE, TSA_CA, Timestamping
from widerspruch.states import Status
from widerspruch.testing.tsa import TimeStampingAuthority, make_authority


@pytest.fixture
def tsa(tmp_path: Path) -> Iterator[TimeStampingAuthority]:
    with TimeStampingAuthority(tmp_path / "tsa") as authority:
        yield authority


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def stamp(data: Path, number: int, tsa: TimeStampingAuthority) -> Result:
    return run(
        "timestamp", str(number), "--url", tsa.url, "--ca", str(tsa.ca), "--data-dir", str(data)
    )


def verify_all(data: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    done = run("verify", "--all", "--json", "--data-dir", str(data), *extra)
    return done.exit_code, json.loads(done.stdout)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_timestamp_is_checked_kept_in_the_bundle_and_verified(
    data_dir: Path, tsa: TimeStampingAuthority
) -> None:
    objection = make_objection(data_dir)
    done = run(
        "timestamp", "1", "--url", tsa.url, "--ca", str(tsa.ca), "--json",
        "--data-dir", str(data_dir),
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert document["authority"] == "CN=widerspruch test TSA"
    assert document["manifest_sha256"] == objection.manifest_sha256
    assert tsa.queries == 1

    folder = Path(objection.evidence_dir or "")
    assert (folder / TIMESTAMP_FILE).is_file()
    assert (folder / TSA_CA).read_bytes() == tsa.ca.read_bytes()
    with Ledger.open(data_dir, read_only=True) as ledger:
        kinds = {a.kind: a for a in ledger.attachments(1)}
    assert kinds["timestamp"].sha256 == sha256_file(folder / TIMESTAMP_FILE)
    assert kinds["timestamp"].path == str(folder / TIMESTAMP_FILE)

    verified = run("verify", "1", "--data-dir", str(data_dir))
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.endswith("with a trusted timestamp)\n")
    code, archive = verify_all(data_dir, "--tsa-ca", str(tsa.ca))
    assert code == 0
    assert archive["objections"][0]["timestamped"] is True


def test_a_whole_rewrite_of_ledger_and_bundle_is_caught_by_the_timestamp(
    data_dir: Path, tsa: TimeStampingAuthority
) -> None:
    """Someone rewrites a bundle, its manifest, the ledger's row and the whole chain
    consistently: only the trusted timestamp still knows the manifest it was given."""
    objection = make_objection(data_dir)
    assert stamp(data_dir, 1, tsa).exit_code == 0
    folder = Path(objection.evidence_dir or "")
    evidence = Evidence(folder)
    evidence.write_json(OBJECTION, {"id": 1, "justification": "a text never sent"})
    manifest = json.loads((folder / MANIFEST).read_text())
    (folder / MANIFEST).unlink()
    digest = evidence.seal(manifest["sealed_at"])
    with sqlite3.connect(data_dir / LEDGER_FILE) as db:
        db.execute("UPDATE objections SET manifest_sha256 = ? WHERE id = 1", (digest,))
        reseal(db, digest, "objection_id = 1 AND kind = 'bundle'")
    db.close()

    code, archive = verify_all(data_dir)
    assert code == 1
    [verdict] = archive["objections"]
    assert verdict["changed"] == []
    assert verdict["problems"] == [
        "manifest.tsr: the token is for another manifest (its hash differs)"
    ]


def test_a_token_swapped_in_or_checked_against_another_ca_does_not_hold(
    data_dir: Path, tsa: TimeStampingAuthority, tmp_path: Path
) -> None:
    for _ in range(2):
        make_objection(data_dir)
    assert stamp(data_dir, 1, tsa).exit_code == 0
    assert stamp(data_dir, 2, tsa).exit_code == 0
    other_ca = make_authority(tmp_path / "other", "another TSA")
    code, archive = verify_all(data_dir, "--tsa-ca", str(other_ca))
    assert code == 1
    problems = [o["problems"] for o in archive["objections"]]
    assert all("its signature does not verify" in p[0] for p in problems)

    # #2's token put in #1's bundle, its hash written into the ledger to match.
    first, second = (data_dir / "evidence" / name for name in ("00001-facebook", "00002-facebook"))
    (first / TIMESTAMP_FILE).write_bytes((second / TIMESTAMP_FILE).read_bytes())
    with sqlite3.connect(data_dir / LEDGER_FILE) as db:
        db.execute(
            "UPDATE attachments SET sha256 = ? WHERE objection_id = 1 AND kind = 'timestamp'",
            (sha256_file(first / TIMESTAMP_FILE),),
        )
    db.close()
    done = run("verify", "1", "--data-dir", str(data_dir))
    assert done.exit_code == 1
    assert done.stdout == (
        "the ledger's hash of manifest.tsr is not the one sealed in the chain\n"
        "manifest.tsr: the token is for another manifest (its hash differs)\n"
    )
    # The seal and the chain rewritten to fit: the token itself still tells.
    with sqlite3.connect(data_dir / LEDGER_FILE) as db:
        reseal(db, sha256_file(first / TIMESTAMP_FILE), "objection_id = 1 AND kind = 'timestamp'")
    db.close()
    done = run("verify", "1", "--data-dir", str(data_dir))
    assert done.exit_code == 1
    assert done.stdout == "manifest.tsr: the token is for another manifest (its hash differs)\n"


def test_timestamp_options_are_checked_and_an_unreachable_authority_stores_nothing(
    data_dir: Path, tmp_path: Path, tsa: TimeStampingAuthority
) -> None:
    make_objection(data_dir)
    alone = run(
        "submit", "facebook", "--email", "a@b.de", "--country", "DE",
        "--timestamp-url", tsa.url, "--data-dir", str(data_dir),
    )  # fmt: skip
    assert alone.exit_code == 2
    assert "--timestamp-url and --timestamp-ca go together" in alone.output
    bad_ca = tmp_path / "not.pem"
    bad_ca.write_text("no certificate")
    for url, ca, said in (
        ("ftp://example.org/tsa", str(tsa.ca), "is not an http(s) URL"),
        (tsa.url, str(bad_ca), "is not a PEM certificate"),
        (f"http://127.0.0.1:{closed_port()}/tsa", str(tsa.ca), "could not be reached"),
    ):
        done = run("timestamp", "1", "--url", url, "--ca", ca, "--data-dir", str(data_dir))
        assert done.exit_code == 2, done.output
        assert said in done.output
        assert "Traceback" not in done.output
    assert not (data_dir / "evidence/00001-facebook" / TIMESTAMP_FILE).exists()
    with Ledger.open(data_dir, read_only=True) as ledger:
        assert ledger.attachments(1) == []


def test_submit_with_a_timestamp_url_stamps_the_sealed_bundle(
    harness: Harness, tsa: TimeStampingAuthority
) -> None:
    timestamping = Timestamping(tsa.url, tsa.ca.read_bytes())
    [result] = harness.submit("facebook", timestamping=timestamping).results
    assert result.status is Status.CONFIRMED
    assert tsa.queries == 1
    folder = harness.data_dir / "evidence/00001-facebook"
    assert (folder / TIMESTAMP_FILE).is_file()
    verified = run("verify", "1", "--data-dir", str(harness.data_dir))
    assert verified.exit_code == 0, verified.output
    assert "with a trusted timestamp" in verified.stdout

    # An authority that does not answer never changes the outcome.
    unreachable = Timestamping(f"http://127.0.0.1:{closed_port()}/tsa", tsa.ca.read_bytes())
    with capture_logs() as events:
        [again] = harness.submit("instagram", timestamping=unreachable).results
    assert again.status is Status.CONFIRMED
    assert any(e["event"] == "timestamp_failed" for e in events)
    assert not (harness.data_dir / "evidence/00002-instagram" / TIMESTAMP_FILE).exists()


def test_a_batch_with_a_timestamp_url_stamps_every_sealed_bundle(
    harness: Harness, tsa: TimeStampingAuthority, tmp_path: Path
) -> None:
    from tests.test_batch import member, members
    from tests.test_batch import run as run_batch

    timestamping = Timestamping(tsa.url, tsa.ca.read_bytes())
    outcome = run_batch(harness, members(tmp_path, member(1), member(2)), timestamping=timestamping)
    assert outcome.ok
    assert tsa.queries == 2
    code, archive = verify_all(harness.data_dir, "--tsa-ca", str(tsa.ca))
    assert code == 0, archive
    assert [o["timestamped"] for o in archive["objections"]] == [True, True]
