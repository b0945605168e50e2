"""Signing secrets at rest: encrypted under the server's key, bound to their organization."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from api.settings import Settings
from api.webhooks.secrets import KEY_FILE, SecretUnreadable, decrypt, encrypt
from core.secrets import new_secret, secret_bytes


def test_a_secret_is_32_random_bytes_in_base64() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(secret_bytes(secret)) == 32
    assert secret_bytes(secret) == base64.b64decode(secret[len("whsec_") :])
    assert new_secret() != secret


def test_without_a_secret_key_one_is_made_once_in_the_home(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", secret_key="")
    secret = new_secret()
    stored = encrypt(settings, 1, secret)
    key_file = tmp_path / "home" / KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    made = key_file.read_text()
    assert decrypt(Settings(home=tmp_path / "home", secret_key=""), 1, stored) == secret
    assert key_file.read_text() == made  # kept, not made again
    with pytest.raises(SecretUnreadable, match="does not decrypt with this server's key"):
        decrypt(Settings(home=tmp_path / "elsewhere", secret_key=""), 1, stored)


def test_a_stored_secret_needs_the_key_and_its_organization() -> None:
    settings = Settings(secret_key="k" * 32)
    secret = new_secret()
    stored = encrypt(settings, 7, secret)
    assert secret.encode() not in stored
    assert secret_bytes(secret) not in stored
    assert decrypt(settings, 7, stored) == secret
    with pytest.raises(SecretUnreadable):
        decrypt(settings, 8, stored)  # moved to another organization's row
    with pytest.raises(SecretUnreadable):
        decrypt(Settings(secret_key="j" * 32), 7, stored)


def test_a_short_secret_key_is_refused() -> None:
    from api.settings import SettingsError

    with pytest.raises(SettingsError, match="MAILFLOW_SECRET_KEY"):
        Settings.from_env({"MAILFLOW_SECRET_KEY": "short"})
