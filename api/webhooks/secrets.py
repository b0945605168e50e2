"""Signing secrets: made (`whsec_` + base64 of 32 random bytes), shown once, and stored encrypted.

The server must sign with the secret, so it cannot keep only a hash as it does for API keys. It keeps the
secret encrypted with AES-256-GCM under a key of its own (MAILFLOW_SECRET_KEY, else a random key in
MAILFLOW_HOME/secret.key), bound to the organization: a database reader (a backup, a replica, a support
query) holds ciphertext that is useless without the server's key, and cannot move it to another organization.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from api.settings import Settings

PREFIX = "whsec_"
_VERSION = b"\x01"  # the stored format: version, 12-byte nonce, ciphertext and tag
KEY_FILE = "secret.key"


class SecretUnreadable(Exception):
    """A stored secret does not decrypt with this server's key (the key changed)."""


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_bytes(secret: str) -> bytes:
    """The bytes a signature is made with: the base64 after `whsec_` (as Standard Webhooks libraries do)."""
    return base64.b64decode(secret.removeprefix(PREFIX))


def _file_key(home: Path) -> bytes:
    """The key kept in MAILFLOW_HOME, made on first use (two processes making it at once agree on one)."""
    path = home / KEY_FILE
    home.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as out:
            out.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
    for _ in range(50):  # another process may have created it and not yet written it
        text = path.read_text().strip()
        if text:
            return text.encode()
    raise SecretUnreadable(f"{path} is empty: remove it, or set MAILFLOW_SECRET_KEY")


def server_key(settings: Settings) -> bytes:
    return _derived(settings.secret_key, settings.home)


@functools.cache
def _derived(secret_key: str, home: Path) -> bytes:
    material = secret_key.encode() if secret_key else _file_key(home)
    return hashlib.sha256(b"mailflow webhook secrets\0" + material).digest()


def _bound_to(org_id: int) -> bytes:
    return f"mailflow webhook secret, organization {org_id}".encode()


def encrypt(settings: Settings, org_id: int, secret: str) -> bytes:
    nonce = secrets.token_bytes(12)
    return _VERSION + nonce + AESGCM(server_key(settings)).encrypt(nonce, secret.encode(), _bound_to(org_id))


def decrypt(settings: Settings, org_id: int, stored: bytes) -> str:
    if stored[:1] != _VERSION:
        raise SecretUnreadable("the stored secret has an unknown format")
    try:
        plain = AESGCM(server_key(settings)).decrypt(stored[1:13], stored[13:], _bound_to(org_id))
    except InvalidTag:
        raise SecretUnreadable(
            "the signing secret does not decrypt with this server's key (MAILFLOW_SECRET_KEY or "
            "MAILFLOW_HOME/secret.key changed): rotate the secret"
        ) from None
    return plain.decode()
