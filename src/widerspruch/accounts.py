"""Accounts the person lets widerspruch remember: passwords in the OS keyring, and saved
logins (browser storage state) encrypted at rest with a key that also lives there.

Nothing secret is ever written in the clear. ``accounts.json`` in the data dir lists
which accounts exist (email and service only: a keyring cannot list its entries), and
``sessions/`` holds the encrypted storage states, owner-only. Without a usable keyring
backend nothing is stored, the person is told once how to enable one, and everything
else keeps working. There is no plaintext fallback.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from contextlib import suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from widerspruch.errors import UsageError
from widerspruch.files import write_private
from widerspruch.ledger import utc_now
from widerspruch.logs import get_logger, mask_email

log = get_logger("widerspruch.accounts")

ACCOUNTS_FILE = "accounts.json"
SESSIONS_DIR = "sessions"
SESSION_KEYS = "widerspruch/session-keys"
NO_KEYRING = (
    "no usable keyring: widerspruch cannot store passwords or saved logins on this "
    "machine. Unlock your desktop keyring (GNOME Keyring, KWallet, macOS Keychain, "
    "Windows Credential Manager), or install an encrypted backend such as "
    "keyrings.cryptfile and select it with PYTHON_KEYRING_BACKEND. "
    "Everything else works without it"
)


class Secret:
    """A password in memory: it never shows in a repr, a log line or a traceback."""

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


class NoKeyring(UsageError):
    def __init__(self) -> None:
        super().__init__(NO_KEYRING)


class SessionUnreadable(Exception):
    """A saved login could not be decrypted: corrupt, tampered with, or its key is gone."""


def password_service(service: str) -> str:
    return f"widerspruch/{service}"


# The keyring entry of a mailbox's password (`widerspruch inbox`), named user@host.
MAILBOX_PASSWORDS = "widerspruch/imap"


def mailbox_password(name: str) -> Secret | None:
    """The stored password of the mailbox `name` (user@host), or None (also when no
    keyring is usable)."""
    return _stored(MAILBOX_PASSWORDS, name)


def _stored(entry: str, name: str) -> Secret | None:
    try:
        keyring = _keyring()
    except NoKeyring:
        return None
    value = keyring.get_password(entry, name.casefold())
    return Secret(value) if value else None


# The keyring entry of a shared PostgreSQL ledger's password (`--ledger URL`), named
# user@host as the URL names them.
LEDGER_PASSWORDS = "widerspruch/ledger"


def ledger_password(name: str) -> Secret | None:
    """The stored password of the ledger database's user@host, or None (also when no
    keyring is usable): then libpq's PGPASSWORD or PGPASSFILE apply."""
    return _stored(LEDGER_PASSWORDS, name)


def store_mailbox_password(name: str, password: Secret) -> None:
    """Keep the mailbox's password in the keyring; NoKeyring if there is none."""
    _keyring().set_password(MAILBOX_PASSWORDS, name.casefold(), password.reveal())


def _keyring() -> Any:
    import keyring
    from keyring.backends.fail import Keyring as FailKeyring

    backend = keyring.get_keyring()
    if isinstance(backend, FailKeyring) or getattr(backend, "priority", 1) <= 0:
        raise NoKeyring()
    return keyring


def keyring_usable() -> bool:
    try:
        _keyring()
    except NoKeyring:
        return False
    return True


_told_about_keyring = False


def tell_once_no_keyring() -> None:
    """Say once per run, plainly, that nothing can be stored here, and how to change that."""
    from widerspruch.logs import tell

    global _told_about_keyring  # one notice per process is the point
    if not _told_about_keyring:
        _told_about_keyring = True
        tell(f"Note: {NO_KEYRING}.")


@dataclass(frozen=True)
class Account:
    email: str
    service: str
    added_at: str


class Accounts:
    """The accounts of one data dir."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.file = data_dir / ACCOUNTS_FILE

    # -- the list (no secrets) ------------------------------------------------------

    def all(self, service: str | None = None) -> list[Account]:
        if not self.file.exists():
            return []
        try:
            rows = json.loads(self.file.read_text("utf-8"))
            found = [Account(**row) for row in rows]
        except (ValueError, TypeError) as error:
            raise UsageError(f"{self.file} is unreadable ({error}); fix or remove it") from None
        return [a for a in found if service is None or a.service == service]

    def on(self, services: Collection[str]) -> list[Account]:
        """The stored accounts on any of `services`, for ``submit --all-accounts``; a
        UsageError saying how to add one when there is none."""
        found = [a for a in self.all() if a.service in services]
        if not found:
            raise UsageError(
                "no stored accounts for these services; add one with "
                "`widerspruch account add EMAIL --service SERVICE`"
            )
        return found

    def _write(self, accounts: list[Account]) -> None:
        write_private(self.file, json.dumps([asdict(a) for a in accounts], indent=2))

    # -- passwords --------------------------------------------------------------------

    def add(self, email: str, service: str, password: Secret) -> Account:
        keyring = _keyring()
        keyring.set_password(password_service(service), email.casefold(), password.reveal())
        account = Account(email=email.casefold(), service=service, added_at=utc_now())
        others = [a for a in self.all() if (a.email, a.service) != (account.email, service)]
        self._write([*others, account])
        log.info("account_added", service=service, account=mask_email(email))
        return account

    def remove(self, email: str, service: str) -> bool:
        """Forget the password and the saved login. True if there was anything to forget."""
        from keyring.errors import PasswordDeleteError

        keyring = _keyring()
        known = self.all()
        kept = [a for a in known if (a.email, a.service) != (email.casefold(), service)]
        try:
            keyring.delete_password(password_service(service), email.casefold())
            had_password = True
        except PasswordDeleteError:
            had_password = False
        self.forget_session(email, service)
        if len(kept) != len(known):
            self._write(kept)
        return had_password or len(kept) != len(known)

    def password(self, email: str, service: str) -> Secret | None:
        """The stored password, or None (also when no keyring is usable)."""
        try:
            keyring = _keyring()
        except NoKeyring:
            return None
        value = keyring.get_password(password_service(service), email.casefold())
        return Secret(value) if value else None

    # -- saved logins ----------------------------------------------------------------------

    def session_file(self, email: str, service: str) -> Path:
        # The file name must not reveal the address: a hash of it will do.
        digest = hashlib.sha256(f"{service}:{email.casefold()}".encode()).hexdigest()[:20]
        return self.data_dir / SESSIONS_DIR / f"{service}-{digest}.session"

    def has_saved_login(self, email: str, service: str) -> bool:
        return self.session_file(email, service).exists()

    def _fernet(self, email: str, service: str, *, create: bool) -> Any:
        from cryptography.fernet import Fernet

        keyring = _keyring()
        name = f"{service}:{email.casefold()}"
        key = keyring.get_password(SESSION_KEYS, name)
        if key is None:
            if not create:
                raise SessionUnreadable("its key is no longer in the keyring")
            key = Fernet.generate_key().decode()
            keyring.set_password(SESSION_KEYS, name, key)
        return Fernet(key.encode())

    def save_session(self, email: str, service: str, storage_state: dict[str, Any]) -> Path:
        token = self._fernet(email, service, create=True).encrypt(
            json.dumps(storage_state).encode()
        )
        path = self.session_file(email, service)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private(path, token)
        log.info("session_saved", service=service, account=mask_email(email))
        return path

    def load_session(self, email: str, service: str) -> dict[str, Any] | None:
        """The saved login, None if there is none; SessionUnreadable if it is damaged."""
        from cryptography.fernet import InvalidToken

        path = self.session_file(email, service)
        if not path.exists():
            return None
        try:
            data = self._fernet(email, service, create=False).decrypt(path.read_bytes())
            state = json.loads(data)
        except (InvalidToken, ValueError) as error:
            raise SessionUnreadable("corrupt or tampered with") from error
        if not isinstance(state, dict):
            raise SessionUnreadable("not a browser storage state")
        return state

    def forget_session(self, email: str, service: str) -> bool:
        from keyring.errors import PasswordDeleteError

        path = self.session_file(email, service)
        existed = path.exists()
        path.unlink(missing_ok=True)
        with suppress(PasswordDeleteError, NoKeyring):
            _keyring().delete_password(SESSION_KEYS, f"{service}:{email.casefold()}")
        return existed
