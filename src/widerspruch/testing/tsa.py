"""A time-stamping authority of its own (RFC 3161), for the tests: OpenSSL's `ts -reply`
behind a small HTTP server on 127.0.0.1, with a throwaway CA and TSA certificate made
in a folder of the caller's."""

from __future__ import annotations

import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Self

from widerspruch.proof.timestamp import QUERY_TYPE, REPLY_TYPE

# P-256 keys: made in milliseconds, where RSA keys take seconds per test.
EC_KEY = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")

CONFIG = """\
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {folder}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)  # noqa: S607


def make_authority(folder: Path, name: str = "widerspruch test TSA") -> Path:
    """A CA (ca.pem), a TSA certificate it signed for time stamping (tsa.pem, tsa.key)
    and OpenSSL's TSA config (tsa.cnf), in `folder`; returns the CA's certificate."""
    folder.mkdir(parents=True, exist_ok=True)
    _openssl(
        "req", "-x509", *EC_KEY, "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "30", "-subj", f"/CN={name} CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=folder,
    )  # fmt: skip
    _openssl(
        "req", *EC_KEY, "-keyout", "tsa.key", "-out", "tsa.csr",
        "-subj", f"/CN={name}",
        cwd=folder,
    )  # fmt: skip
    (folder / "tsa.ext").write_text(
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=critical,timeStamping\n"
    )
    _openssl(
        "x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "tsa.pem", "-days", "30", "-extfile", "tsa.ext",
        cwd=folder,
    )  # fmt: skip
    (folder / "serial").write_text("01\n")
    (folder / "tsa.cnf").write_text(CONFIG.format(folder=folder))
    return folder / "ca.pem"


class TimeStampingAuthority:
    """`with TimeStampingAuthority(folder) as tsa:` answers time-stamp queries at
    `tsa.url` until the block ends; `tsa.ca` is its CA certificate, `tsa.queries`
    counts the queries it answered."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ca = make_authority(folder)
        self.queries = 0
        authority = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                if self.headers.get("Content-Type") != QUERY_TYPE:
                    self.send_error(415, "expected " + QUERY_TYPE)
                    return
                query = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                reply = authority.reply(query)
                self.send_response(200)
                self.send_header("Content-Type", REPLY_TYPE)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet: the tests read their own output

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/tsa"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._lock = threading.Lock()

    def reply(self, query: bytes) -> bytes:
        with self._lock, tempfile.TemporaryDirectory(dir=self.folder) as work:
            (Path(work) / "query.tsq").write_bytes(query)
            _openssl(
                "ts", "-reply", "-config", str(self.folder / "tsa.cnf"),
                "-queryfile", "query.tsq", "-out", "reply.tsr",
                cwd=Path(work),
            )  # fmt: skip
            self.queries += 1
            return (Path(work) / "reply.tsr").read_bytes()

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
