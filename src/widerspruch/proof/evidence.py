"""The evidence bundle: what a person can show later, to Meta, an authority or a court.

One folder per objection under ``<data dir>/evidence/``, written while the flow runs:
the filled form before Send, the page after (picture and HTML without scripts), a
summary of the submit request as the page sent it, the text and the circumstances,
and ``manifest.json`` with the SHA-256 of every file. The manifest's own SHA-256 goes
into the ledger, so a changed bundle cannot pass for the original.

Never in a bundle: cookies, headers, tokens, passwords. Fields that look like tokens,
and any value equal to one of the browser's cookies, are left out of the request
summary; hidden inputs are emptied in the saved HTML.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from widerspruch.logs import SECRET_KEY
from widerspruch.page.scripts import CLEAN_HTML_JS
from widerspruch.text import without_query

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request

EVIDENCE_DIR = "evidence"
MANIFEST = "manifest.json"
FORM_FILLED = "form-filled.png"
RESULT_PNG = "result.png"
RESULT_HTML = "result.html"
SUBMIT_REQUEST = "submit-request.json"
OBJECTION = "objection.json"
# What a demo bundle's manifest and objection.json say of it.
DEMO_NOTE = "DEMO - made by `widerspruch demo` on replicas of Meta's pages; not sent to Meta"
# Files added after sealing (the receipt, Meta's reply) are hashed in the ledger instead.
UNSEALED = frozenset({MANIFEST})
# Meta's own anti-forgery fields, and anything else that smells like a secret.
TOKEN_FIELD = re.compile(rf"{SECRET_KEY.pattern}|^__|jazoest|dtsg|^lsd$|nonce", re.I)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def bundle_dir(data_dir: Path, objection_id: int, service: str) -> Path:
    return data_dir / EVIDENCE_DIR / f"{objection_id:05d}-{service}"


@dataclass
class Evidence:
    """Collects one objection's evidence; ``seal()`` writes the manifest."""

    folder: Path
    demo: bool = False  # made by `widerspruch demo`: the manifest says so
    requests: list[dict[str, Any]] = field(default_factory=list)
    _cookie_values: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)

    def screenshot(self, page: Page, name: str) -> Path:
        path = self.folder / name
        page.screenshot(path=str(path), full_page=True)
        return path

    def page_html(self, page: Page, name: str = RESULT_HTML) -> Path:
        path = self.folder / name
        path.write_text(str(page.evaluate(CLEAN_HTML_JS)), "utf-8")
        return path

    def remember_cookies(self, page: Page) -> None:
        """Cookie values, so that none slips into the request summary as a field."""
        self._cookie_values |= {c["value"] for c in page.context.cookies() if c.get("value")}

    def record_request(self, request: Request, at: str) -> None:
        """A summary of one form POST: no headers, no cookies, no tokens."""
        response = request.response()
        fields = dict(parse_qsl(request.post_data or "", keep_blank_values=True))
        self.requests.append(
            {
                "url": without_query(request.url),
                "method": request.method,
                "status": response.status if response else None,
                "at": at,
                "fields": {
                    name: value
                    for name, value in fields.items()
                    if not TOKEN_FIELD.search(name) and value not in self._cookie_values
                },
                "left_out": sorted(
                    name
                    for name, value in fields.items()
                    if TOKEN_FIELD.search(name) or value in self._cookie_values
                ),
            }
        )

    def write_json(self, name: str, data: Any) -> Path:
        path = self.folder / name
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
        return path

    def seal(self, sealed_at: str) -> str:
        """Write the manifest over every file here; return the manifest's SHA-256."""
        if self.requests:
            self.write_json(SUBMIT_REQUEST, self.requests)
        files = {
            path.name: sha256_file(path)
            for path in sorted(self.folder.iterdir())
            if path.is_file() and path.name not in UNSEALED
        }
        manifest: dict[str, Any] = {"sealed_at": sealed_at, "algorithm": "sha256", "files": files}
        if self.demo:
            manifest |= {"demo": True, "note": DEMO_NOTE}
        self.write_json(MANIFEST, manifest)
        return sha256_file(self.folder / MANIFEST)


@dataclass
class Verdict:
    """What `verify` found for one bundle, or (with `objection_id`) for everything the
    archive holds for one objection (widerspruch.proof.archive)."""

    folder: Path | None
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unrecorded: list[str] = field(default_factory=list)  # in the folder, recorded nowhere
    manifest_matches_ledger: bool | None = None  # None: no ledger hash to compare
    objection_id: int | None = None
    problems: list[str] = field(default_factory=list)  # the chain, a timestamp, a path
    checked: int = 0  # files whose SHA-256 was recomputed
    kept: int = 0  # of them, copies the ledger keeps (widerspruch.proof.kept)
    sealed: bool = True  # False: the objection has nothing sealed (never sent)
    timestamped: bool = False  # a trusted timestamp on the manifest holds

    @property
    def intact(self) -> bool:
        return (
            not self.changed
            and not self.missing
            and not self.unrecorded
            and not self.problems
            and self.manifest_matches_ledger is not False
        )


def manifest_files(folder: Path) -> dict[str, str] | None:
    """The files the bundle's manifest lists, by name, with their SHA-256; None if it
    cannot be read as one."""
    try:
        files = json.loads((folder / MANIFEST).read_text("utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        return None
    return {str(name): digest for name, digest in files.items()}


def verify(folder: Path, expected_manifest_sha256: str | None = None) -> Verdict:
    """Recompute every hash in the manifest (and the manifest's own, if known)."""
    verdict = Verdict(folder)
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        verdict.missing.append(MANIFEST)
        return verdict
    if expected_manifest_sha256 is not None:
        verdict.manifest_matches_ledger = sha256_file(manifest_path) == expected_manifest_sha256
        if not verdict.manifest_matches_ledger:
            verdict.changed.append(MANIFEST)
    files = manifest_files(folder)
    if files is None:
        verdict.changed.append(MANIFEST)
        return verdict
    verdict.checked = 1
    for name, digest in files.items():
        path = folder / name
        if not path.is_file():
            verdict.missing.append(name)
        elif sha256_file(path) != digest:
            verdict.changed.append(name)
        verdict.checked += 1
    return verdict
