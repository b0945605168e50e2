"""The server's key for signing secrets, and the secrets sealed and unsealed with it (core/secrets.py makes
and seals them: `whsec_` + base64 of 32 random bytes, shown once, stored with AES-256-GCM).

The server must sign with the secret, so it cannot keep only a hash as it does for API keys. It keeps the
secret encrypted under a key of its own (MAILFLOW_SECRET_KEY, else a random key in MAILFLOW_HOME/secret.key),
bound to the organization: a database reader (a backup, a replica, a support query) holds ciphertext that is
useless without the server's key, and cannot move it to another organization."""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import secrets
from pathlib import Path

from api.settings import Settings
from core.secrets import SecretUnreadable, seal, unseal

__all__ = ["KEY_FILE", "SecretUnreadable", "decrypt", "encrypt", "server_key"]
KEY_FILE = "secret.key"


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


def encrypt(settings: Settings, org_id: int, secret: str) -> bytes:
    return seal(server_key(settings), org_id, secret)


def decrypt(settings: Settings, org_id: int, stored: bytes) -> str:
    return unseal(server_key(settings), org_id, stored)
