from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.settings import SETTINGS, Settings, SettingsError

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_match_the_dataclass() -> None:
    assert Settings.from_env({}) == Settings()


def test_values_are_parsed() -> None:
    s = Settings.from_env({"MAILFLOW_PORT": "9000", "DATABASE_URL": "postgresql://x@y/z"})
    assert s.port == 9000
    assert s.database_url == "postgresql://x@y/z"


@pytest.mark.parametrize(
    ("env", "value"),
    [
        ("MAILFLOW_PORT", "eighty"),
        ("MAILFLOW_PORT", "-1"),
        ("DATABASE_URL", "mysql://x"),
        ("MAILFLOW_LOG_LEVEL", "loud"),
    ],
)
def test_a_malformed_setting_names_itself(env: str, value: str) -> None:
    with pytest.raises(SettingsError, match=env):
        Settings.from_env({env: value})


def test_readme_table_lists_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, re.MULTILINE))
    assert documented == {s.env for s in SETTINGS} | {"TEST_DATABASE_URL"}


def test_env_example_lists_every_setting() -> None:
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^([A-Z_]+)=", example, re.MULTILINE))
    assert listed == {s.env for s in SETTINGS}
