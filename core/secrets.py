"""Signing secrets: made (`whsec_` + base64 of 32 random bytes), shown once, and stored sealed with
AES-256-GCM under a key of the server's (api/webhooks/secrets.py says which), bound to the organization."""

from __future__ import annotations

import base64
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "whsec_"
_VERSION = b"\x01"  # the stored format: version, 12-byte nonce, ciphertext and tag


class SecretUnreadable(Exception):
    """A stored secret does not decrypt with this server's key (the key changed)."""


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_bytes(secret: str) -> bytes:
    """The bytes a signature is made with: the base64 after `whsec_` (as Standard Webhooks libraries do)."""
    return base64.b64decode(secret.removeprefix(PREFIX))


def _bound_to(org_id: int) -> bytes:
    return f"mailflow webhook secret, organization {org_id}".encode()


def seal(key: bytes, org_id: int, secret: str) -> bytes:
    """The secret as stored: encrypted under the server's `key`, bound to the organization."""
    nonce = secrets.token_bytes(12)
    return _VERSION + nonce + AESGCM(key).encrypt(nonce, secret.encode(), _bound_to(org_id))


def unseal(key: bytes, org_id: int, stored: bytes) -> str:
    if stored[:1] != _VERSION:
        raise SecretUnreadable("the stored secret has an unknown format")
    try:
        plain = AESGCM(key).decrypt(stored[1:13], stored[13:], _bound_to(org_id))
    except InvalidTag:
        raise SecretUnreadable(
            "the signing secret does not decrypt with this server's key (MAILFLOW_SECRET_KEY or "
            "MAILFLOW_HOME/secret.key changed): rotate the secret"
        ) from None
    return plain.decode()
