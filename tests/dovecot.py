"""A real IMAP server for the inbox tests: Debian's Dovecot, in a temporary directory, on
127.0.0.1 and a free port, with one passwd-file user, a self-signed certificate made
here, and mail delivered straight into the user's Maildir."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "jana", "imap-test-password"


@dataclass
class Dovecot:
    root: Path
    port: int
    ca_file: Path
    maildir: Path
    uid: int
    gid: int
    delivered: int = 0

    @property
    def url(self) -> str:
        return f"imaps://{USER}@127.0.0.1:{self.port}"

    def deliver(self, data: bytes) -> None:
        """Put a message into the user's Maildir, as a delivery agent would."""
        self.delivered += 1
        name = f"{int(time.time())}.M{self.delivered}P{os.getpid()}.test"
        tmp = self.maildir / "tmp" / name
        tmp.write_bytes(data)
        os.chown(tmp, self.uid, self.gid)
        tmp.rename(self.maildir / "new" / name)


def _certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(IPv4Address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def dovecot() -> Iterator[Dovecot]:
    """Dovecot serving IMAPS on 127.0.0.1 from a temporary directory, removed after."""
    assert Path(DOVECOT).exists(), "dovecot-imapd is missing: ./dev setup installs it"
    # Its own directory in /tmp: its users must reach it (pytest's are owner-only).
    folder = Path(tempfile.mkdtemp(prefix="widerspruch-dovecot-"))
    folder.chmod(0o755)
    if os.getuid() == 0:
        # Dovecot never serves mail as root: as root, it runs as its own system users.
        internal, login = "dovecot", "dovenull"
        uid, gid = pwd.getpwnam("dovecot").pw_uid, grp.getgrnam("dovecot").gr_gid
    else:
        internal = login = pwd.getpwuid(os.getuid()).pw_name
        uid, gid = os.getuid(), os.getgid()
    cert_file, key_file = _certificate(folder)
    home = folder / "home" / USER
    maildir = home / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    for path in (folder / "home", home, maildir, *(maildir / s for s in ("cur", "new", "tmp"))):
        os.chown(path, uid, gid)
    passwd = folder / "passwd"
    passwd.write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{home}\n")
    os.chown(passwd, uid, gid)  # the auth process reads it, whatever the umask
    passwd.chmod(0o600)
    port = _free_port()
    config = folder / "dovecot.conf"
    config.write_text(
        f"""
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = {uid}
ssl = required
ssl_cert = <{cert_file}
ssl_key = <{key_file}
auth_mechanisms = plain
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {passwd}
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""
    )
    # Dovecot forks into the background: no pipes it would hold open.
    with (folder / "start.log").open("wb") as start_log:
        subprocess.run(
            [DOVECOT, "-c", str(config)], check=True, stdout=subprocess.DEVNULL, stderr=start_log
        )
    try:
        _wait_for(port, folder)
        yield Dovecot(folder, port, cert_file, maildir, uid, gid)
    finally:
        subprocess.run(
            [DOVECOT, "-c", str(config), "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        pidfile = folder / "run" / "master.pid"
        deadline = time.monotonic() + 10
        while pidfile.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        shutil.rmtree(folder, ignore_errors=True)


def _wait_for(port: int, folder: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    log = folder / "dovecot.log"
    raise RuntimeError(f"dovecot did not listen: {log.read_text() if log.exists() else ''}")
