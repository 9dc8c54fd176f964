"""Every objection leaves a sealed evidence bundle; `verify` notices any change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import EMAIL, Harness
from widerspruch.ledger import Ledger
from widerspruch.proof.evidence import (
    FORM_FILLED,
    MANIFEST,
    OBJECTION,
    RESULT_HTML,
    RESULT_PNG,
    SUBMIT_REQUEST,
    sha256_file,
    verify,
)
from widerspruch.proof.verify import verify_bundle
from widerspruch.states import Status

BUNDLE_FILES = {FORM_FILLED, RESULT_PNG, RESULT_HTML, SUBMIT_REQUEST, OBJECTION, MANIFEST}


def bundle_of(harness: Harness) -> tuple[Path, str]:
    with Ledger.open(harness.data_dir) as ledger:
        [objection] = ledger.objections()
    assert objection.evidence_dir
    assert objection.manifest_sha256
    return Path(objection.evidence_dir), objection.manifest_sha256


@pytest.mark.parametrize("outcome", ["confirmation", "error"])
def test_bundle_is_complete_and_sealed(harness: Harness, outcome: str) -> None:
    harness.replay.scenario.outcome = outcome
    result = harness.submit("facebook").results[0]
    assert result.status is (Status.CONFIRMED if outcome == "confirmation" else Status.FAILED)
    folder, manifest_hash = bundle_of(harness)

    # A confirmed objection also gets its receipt, added after sealing (test_receipt.py).
    receipt = {"receipt.pdf"} if outcome == "confirmation" else set()
    assert {p.name for p in folder.iterdir()} == BUNDLE_FILES | receipt
    assert sha256_file(folder / MANIFEST) == manifest_hash
    manifest = json.loads((folder / MANIFEST).read_text())
    assert set(manifest["files"]) == BUNDLE_FILES - {MANIFEST}
    for name, digest in manifest["files"].items():
        assert sha256_file(folder / name) == digest
    assert verify(folder, manifest_hash).intact
    assert result.screenshot == str(folder / RESULT_PNG)

    record = json.loads((folder / OBJECTION).read_text())
    assert record["status"] == result.status.value
    assert record["template"] == "standard"
    assert record["template_version"] == "1"
    assert record["tool_version"]
    assert record["browser_version"]
    assert [e["state"] for e in record["events"] if e["kind"] == "page"][:3] == [
        "cookie_banner",
        "login_wall",
        "form",
    ]
    [request] = json.loads((folder / SUBMIT_REQUEST).read_text())
    assert request["method"] == "POST"
    assert request["status"] == 200
    assert request["fields"]["email"] == EMAIL
    assert request["fields"]["description"] == record["justification"]
    assert "fb_dtsg" in request["left_out"]
    page = (folder / RESULT_HTML).read_text()
    shown = "received your objection" if outcome == "confirmation" else "Something went wrong"
    assert shown in page
    assert "<script" not in page


def test_bundle_holds_no_cookie_token_or_password(harness: Harness) -> None:
    harness.replay.scenario.form = "form_2024"
    harness.submit("instagram")
    folder, _ = bundle_of(harness)
    everything = b"".join(path.read_bytes() for path in folder.iterdir())
    for secret in (
        harness.replay.session_token,
        harness.replay.csrf_token,
        harness.person.password,
    ):
        assert secret.encode() not in everything


@pytest.mark.parametrize("name", sorted(BUNDLE_FILES - {MANIFEST}))
def test_verify_finds_one_changed_byte_in_any_file(harness: Harness, name: str) -> None:
    harness.submit("facebook")
    folder, _ = bundle_of(harness)
    path = folder / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    verdict = verify_bundle("1", harness.data_dir)
    assert not verdict.intact
    assert verdict.changed == [name]


def test_verify_finds_a_missing_file_and_a_changed_manifest(harness: Harness) -> None:
    harness.submit("facebook")
    folder, manifest_hash = bundle_of(harness)
    (folder / RESULT_PNG).unlink()
    assert verify(folder, manifest_hash).missing == [RESULT_PNG]

    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["files"].pop(RESULT_PNG)  # hide the missing file: the ledger's hash still knows
    (folder / MANIFEST).write_text(json.dumps(manifest))
    verdict = verify_bundle(str(folder), harness.data_dir)
    assert verdict.changed == [MANIFEST]
    assert not verdict.intact
